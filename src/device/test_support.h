// Helpers shared by the device tests.
#ifndef REDLINE_DEVICE_TEST_SUPPORT_H_
#define REDLINE_DEVICE_TEST_SUPPORT_H_

#include <functional>
#include <string>

namespace redline {

/// A fresh directory under /tmp (mode 0755), removed with everything in it.
class ScopedTempDir {
 public:
  ScopedTempDir();
  ~ScopedTempDir();
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// Polls `done` every 10 ms until it holds or `timeout_seconds` pass.
bool WaitUntil(const std::function<bool()>& done, double timeout_seconds);
/// Whole file, or "" if it cannot be read.
std::string ReadFileOrEmpty(const std::string& path);

}  // namespace redline

#endif  // REDLINE_DEVICE_TEST_SUPPORT_H_
