// Starting the bwrap process of a device: fork on the launcher thread, join
// the cgroup, set up fds, exec. Between fork and exec the child makes only
// system calls (no allocation, no exceptions); a failure there comes back
// through a CLOEXEC pipe as in nsjail's kSubprocErrorChar.
#ifndef REDLINE_DEVICE_LAUNCH_H_
#define REDLINE_DEVICE_LAUNCH_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "device/absent_programs.h"
#include "device/privilege.h"

namespace redline {

/// What the child does between fork and exec. fds are borrowed.
struct LaunchPlan {
  std::vector<std::string> argv;  ///< argv[0] is the absolute program path
  std::vector<std::string> envp;  ///< the whole environment, "K=V"
  /// "0" is written to each first, so the child and everything it starts
  /// belong to the cgroup before anything else runs.
  std::vector<int> cgroup_procs_fds;
  /// Becomes fd `inherited_fd_number` (CLOEXEC cleared).
  int inherited_fd = -1;
  int inherited_fd_number = 3;
  /// If >= 0, becomes fd `extra_fd_number` too (bwrap's seccomp program).
  int extra_fd = -1;
  int extra_fd_number = 4;
  /// If >= 0: a network namespace the child joins before dropping ids
  /// (setns), so bwrap keeps it (--share-net). Needs root.
  int netns_fd = -1;
  /// Becomes fd 2; stdin and stdout become /dev/null.
  int stderr_fd = -1;
  /// After joining the cgroup, switch to these ids (no supplementary
  /// groups); -1 keeps the harness's.
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
  /// If not empty: before dropping ids, the child moves to a private mount
  /// namespace and mounts these (read-only overlays), which bwrap then
  /// sees; the host's mounts do not change. Needs root.
  std::vector<OverlayMount> overlays;
  /// Set (soft = hard) last before exec, so bwrap and everything in the
  /// device inherit them; the stand-in for a cgroup when there is none.
  std::vector<ResourceLimit> rlimits;
};

/// Forks and execs; returns the child's pid once exec succeeded. The child
/// gets SIGKILL if the harness process dies. Throws SystemError naming the
/// step that failed (e.g. joining the cgroup, or exec).
pid_t LaunchProcess(const LaunchPlan& plan);

}  // namespace redline

#endif  // REDLINE_DEVICE_LAUNCH_H_
