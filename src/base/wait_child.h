// Waiting for a child process to exit, with a deadline.
#ifndef REDLINE_BASE_WAIT_CHILD_H_
#define REDLINE_BASE_WAIT_CHILD_H_

#include <sys/types.h>

namespace redline {

enum class ChildWait {
  kExited,    ///< reaped; its wait status is set
  kTimedOut,  ///< still running at the deadline (not killed)
  kGone,      ///< not a child of ours any more (reaped elsewhere)
};

/// Waits for `pid` to exit until `deadline` (MonotonicSeconds). A pidfd
/// wakes us the moment it exits (a one_time command is often a 1 ms
/// step, so sleeping in between would dominate it); kernels without
/// pidfd_open (< 5.3) fall back to short sleeps.
ChildWait WaitChild(pid_t pid, double deadline, int* status);

}  // namespace redline

#endif  // REDLINE_BASE_WAIT_CHILD_H_
