// `redline selftest`: runs every escape case (escape_cases.h) in a fresh
// device of its own, as a separate process, with the host side set up and
// checked by the runner: a file of a run folder, a read-only host dir, a
// server on the host's loopback, a host process to signal and trace, an API
// key in the harness's environment and in a private file.
#ifndef REDLINE_SELFTEST_SELFTEST_RUNNER_H_
#define REDLINE_SELFTEST_SELFTEST_RUNNER_H_

#include <functional>
#include <string>
#include <vector>

namespace redline {

struct EscapeResult {
  std::string name;
  std::string attempt;
  std::string expected;
  /// What the probe saw, one line per attempt, then what the host saw.
  std::vector<std::string> observed;
  bool contained = false;
  double seconds = 0;
};

struct SelftestOptions {
  std::string probe_path;    ///< redline-escape-probe
  std::string devinit_path;  ///< redline-devinit
  std::vector<std::string> cases;  ///< names to run; empty = all
};

/// Runs the cases, calling `on_result` after each. Throws InputError for an
/// unknown case name, SystemError if a device cannot be built at all.
std::vector<EscapeResult> RunSelftest(
    const SelftestOptions& options,
    const std::function<void(const EscapeResult&)>& on_result);

}  // namespace redline

#endif  // REDLINE_SELFTEST_SELFTEST_RUNNER_H_
