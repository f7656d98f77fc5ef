#include "device/absent_programs.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <functional>

#include "base/error.h"
#include "base/files.h"

namespace redline {
namespace {

bool IsRealDir(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

// A name per set of programs, so two sets never share a layer.
std::string SetKey(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  std::string joined;
  for (const std::string& n : names) joined += n + "/";
  char hex[20];
  std::snprintf(hex, sizeof hex, "%016zx", std::hash<std::string>{}(joined));
  return hex;
}

// "/usr/bin" → "usr-bin".
std::string Flatten(const std::string& dir) {
  std::string out = dir.substr(1);
  std::replace(out.begin(), out.end(), '/', '-');
  return out;
}

// The layer for `dir`: one whiteout (a 0/0 character device) per name.
std::string MakeLayer(const std::string& key, const std::string& dir,
                      const std::vector<std::string>& present) {
  std::string layer = std::string(kWhiteoutRoot) + "/" + key + "/" + Flatten(dir);
  MakeDirs(layer);
  for (const std::string& name : present) {
    std::string path = layer + "/" + name;
    if (::mknod(path.c_str(), S_IFCHR | 0644, makedev(0, 0)) != 0 &&
        errno != EEXIST)
      ThrowErrno("mknod(\"" + path + "\") (an overlay whiteout)");
  }
  return layer;
}

}  // namespace

std::vector<std::string> ProgramDirs() {
  std::vector<std::string> dirs;
  for (const char* dir : {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
                          "/usr/bin", "/sbin", "/bin"})
    if (IsRealDir(dir)) dirs.push_back(dir);
  return dirs;
}

std::vector<OverlayMount> AbsentProgramOverlays(
    const std::vector<std::string>& names) {
  std::vector<OverlayMount> mounts;
  if (names.empty()) return mounts;
  std::string key = SetKey(names);
  for (const std::string& dir : ProgramDirs()) {
    std::vector<std::string> present;
    for (const std::string& name : names)
      if (Exists(dir + "/" + name)) present.push_back(name);
    if (present.empty()) continue;
    std::string layer = MakeLayer(key, dir, present);
    mounts.push_back({dir, "lowerdir=" + layer + ":" + dir});
  }
  return mounts;
}

}  // namespace redline
