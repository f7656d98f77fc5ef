// The device's system-call filter: a seccomp program bwrap installs (its
// --seccomp FD) on devinit and so on everything in the device. It refuses
// the calls that reach kernel state shared with the host, or large kernel
// surface no program of a trial needs, which bubblewrap alone leaves open to
// an unprivileged user: the keyrings (not namespaced: a device would
// possess the harness's session keyring), io_uring, bpf, perf_event_open
// and userfaultfd. Everything else is allowed.
#ifndef REDLINE_DEVICE_SECCOMP_FILTER_H_
#define REDLINE_DEVICE_SECCOMP_FILTER_H_

#include <string>
#include <vector>

#include "base/unique_fd.h"

namespace redline {

/// The fd number bwrap reads the program from (`--seccomp`).
inline constexpr int kDeviceSeccompFd = 4;

struct FilteredCall {
  std::string name;  ///< as in `man 2`
  int error;         ///< errno the call fails with
};

/// The refused calls, for the documentation and the selftest.
const std::vector<FilteredCall>& FilteredCalls();

/// The compiled program (struct sock_filter[]), built once with libseccomp
/// for the native architecture and its 32-bit ABIs. Throws SystemError.
const std::string& DeviceSeccompProgram();

/// A pipe's read end holding the program, for one bwrap to read to its end.
UniqueFd DeviceSeccompProgramFd();

}  // namespace redline

#endif  // REDLINE_DEVICE_SECCOMP_FILTER_H_
