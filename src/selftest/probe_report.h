// How redline-escape-probe reports: one "observed: …" line per attempt,
// marked "  <-- ESCAPE" when the attempt got through. Shared by the probe's
// files (one per concern); the runner parses the lines (selftest_runner.cc).
#ifndef REDLINE_SELFTEST_PROBE_REPORT_H_
#define REDLINE_SELFTEST_PROBE_REPORT_H_

#include <functional>
#include <map>
#include <string>

namespace redline::probe {

/// Case name → what the probe does with the runner's argument.
using ProbeCases = std::map<std::string, std::function<void(const std::string&)>>;

/// Prints one observation; `escaped` makes the case's verdict "escaped".
void Observe(const std::string& what, bool escaped);
/// Expects `ok` false: the attempt failed (with errno, printed).
void Attempt(const std::string& what, bool ok);
/// Expects the attempt to fail with exactly `expected` (e.g. the seccomp
/// filter's ENOSYS): failing another way (EBADF on a bad argument) would not
/// show that the call itself is refused.
void AttemptErrno(const std::string& what, bool ok, int expected);
/// strerror.
std::string Err(int err);
/// Whether any observation so far was an escape.
bool Escaped();

}  // namespace redline::probe

#endif  // REDLINE_SELFTEST_PROBE_REPORT_H_
