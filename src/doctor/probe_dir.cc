#include "doctor/probe_dir.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <vector>

#include "base/error.h"
#include "base/files.h"

namespace redline {

ProbeDir::ProbeDir(const std::string& prefix) {
  std::string pattern = "/tmp/" + prefix + "-XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  if (::mkdtemp(name.data()) == nullptr) ThrowErrno("mkdtemp(" + pattern + ")");
  path_ = name.data();
  ::chmod(path_.c_str(), 0755);
}

ProbeDir::~ProbeDir() {
  try {
    RemoveTree(path_);
  } catch (...) {
  }
}

std::string ProbeDir::Make(const std::string& sub) const {
  std::string dir = path_ + "/" + sub;
  MakeDirs(dir);
  ::chmod(dir.c_str(), 0755);
  return dir;
}

}  // namespace redline
