#include "base/wait_child.h"

#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/clock.h"
#include "base/unique_fd.h"

namespace redline {

ChildWait WaitChild(pid_t pid, double deadline, int* status) {
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  double pause = 0.001;
  for (;;) {
    pid_t r = ::waitpid(pid, status, WNOHANG);
    if (r == pid) return ChildWait::kExited;
    if (r < 0 && errno != EINTR) return ChildWait::kGone;
    double now = MonotonicSeconds();
    if (now >= deadline) return ChildWait::kTimedOut;
    if (pidfd.valid()) {
      pollfd p{pidfd.get(), POLLIN, 0};
      ::poll(&p, 1, static_cast<int>((deadline - now) * 1000) + 1);
      continue;
    }
    SleepSeconds(std::min(pause, deadline - now));
    pause = std::min(pause * 2, 0.005);
  }
}

}  // namespace redline
