// Helpers for tests that run the real redline binary.
#ifndef REDLINE_TESTS_HARNESS_H_
#define REDLINE_TESTS_HARNESS_H_

#include <string>

namespace redline::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  ///< stdout and stderr together
};

/// Runs `redline <args>` (args are passed to the shell as written).
CommandResult RunRedline(const std::string& args);
/// A fresh empty directory under /tmp, removed by the caller.
std::string FreshDir(const std::string& prefix);
/// Flags that keep a trial quick: no shard load time, short waits.
std::string QuickFlags();
/// Path of a replay fixture in tests/replays.
std::string Replay(const std::string& name);

}  // namespace redline::testing

#endif  // REDLINE_TESTS_HARNESS_H_
