// A size limit on a device's home: a tmpfs of the limit's size mounted over
// the home directory on the host for the device's lifetime (works the same
// under cgroup v1 and v2, needs no quota support from the host's file
// system). The host directory's content is copied in at mount time and the
// final content copied back before unmounting, so callers see an ordinary
// directory before Start and after Teardown.
#ifndef REDLINE_DEVICE_HOME_QUOTA_H_
#define REDLINE_DEVICE_HOME_QUOTA_H_

#include <cstdint>
#include <string>
#include <vector>

#include "base/unique_fd.h"

namespace redline {

/// Source name of every home tmpfs: "redline-home-<pid>-<start ticks>" of the
/// harness that mounted it, so RemoveStaleHomes knows a dead harness's.
inline constexpr char kHomeMountPrefix[] = "redline-home-";

class HomeQuota {
 public:
  /// Mounts a tmpfs of `bytes` over `dir` holding a copy of what `dir`
  /// held. Needs root. Throws SystemError naming the step.
  HomeQuota(const std::string& dir, uint64_t bytes);
  HomeQuota(const HomeQuota&) = delete;
  HomeQuota& operator=(const HomeQuota&) = delete;
  /// Restore(), best effort (errors go to stderr).
  ~HomeQuota();

  /// Replaces what `dir` held on the host by the tmpfs's content (symlinks
  /// copied as symlinks, never followed; sockets, fifos and devices
  /// skipped), then unmounts. Call once nothing runs in the device any
  /// more. Idempotent. Throws SystemError.
  void Restore();

 private:
  std::string dir_;
  UniqueFd under_;  ///< the covered host directory (O_PATH)
  bool mounted_ = false;
};

/// Unmounts home tmpfs left by redline processes that no longer run (their
/// content is lost: the harness died before copying it back). One line per
/// mount removed.
std::vector<std::string> RemoveStaleHomes();

}  // namespace redline

#endif  // REDLINE_DEVICE_HOME_QUOTA_H_
