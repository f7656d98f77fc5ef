#include "device/test_support.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "base/clock.h"
#include "base/error.h"
#include "base/files.h"

namespace redline {

ScopedTempDir::ScopedTempDir() {
  char tmpl[] = "/tmp/redline-device-test-XXXXXX";
  if (!::mkdtemp(tmpl)) ThrowErrno("mkdtemp");
  path_ = tmpl;
  // Devices of a root harness run as nobody, who must reach what is inside.
  if (::chmod(tmpl, 0755) != 0) ThrowErrno("chmod");
}

ScopedTempDir::~ScopedTempDir() {
  try {
    RemoveTree(path_);
  } catch (const std::exception&) {
  }
}

bool WaitUntil(const std::function<bool()>& done, double timeout_seconds) {
  double deadline = MonotonicSeconds() + timeout_seconds;
  while (true) {
    if (done()) return true;
    if (MonotonicSeconds() > deadline) return false;
    SleepSeconds(0.01);
  }
}

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace redline
