// A 0755 folder under /tmp for the doctor's trial devices (the device's
// user must reach it), removed with everything in it.
#ifndef REDLINE_DOCTOR_PROBE_DIR_H_
#define REDLINE_DOCTOR_PROBE_DIR_H_

#include <string>

namespace redline {

class ProbeDir {
 public:
  /// /tmp/<prefix>-XXXXXX. Throws SystemError.
  explicit ProbeDir(const std::string& prefix);
  ~ProbeDir();
  ProbeDir(const ProbeDir&) = delete;
  ProbeDir& operator=(const ProbeDir&) = delete;
  const std::string& path() const { return path_; }
  /// Makes `sub` (0755) inside and returns its path.
  std::string Make(const std::string& sub) const;

 private:
  std::string path_;
};

}  // namespace redline

#endif  // REDLINE_DOCTOR_PROBE_DIR_H_
