// Helpers for tests that run the real redline binary.
#ifndef REDLINE_TESTS_HARNESS_H_
#define REDLINE_TESTS_HARNESS_H_

#include <functional>
#include <string>
#include <vector>

namespace redline::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  ///< stdout and stderr together
};

/// Runs `redline <args>` (args are passed to the shell as written).
CommandResult RunRedline(const std::string& args);
/// Starts `redline <args...>` in the background, its output in `log`;
/// returns its pid.
int StartRedline(const std::vector<std::string>& args, const std::string& log);
/// Waits up to `timeout` seconds for `pid` to exit; its exit code, 128+signal
/// if a signal ended it, or -1 on timeout (the process is then killed).
int WaitExit(int pid, double timeout);
/// Polls `condition` every 20 ms for up to `timeout` seconds.
bool WaitFor(const std::function<bool()>& condition, double timeout);
/// A fresh empty directory under /tmp, removed by the caller.
std::string FreshDir(const std::string& prefix);
/// Flags that keep a trial quick: no shard load time, short waits.
std::string QuickFlags();
/// Path of a replay fixture in tests/replays.
std::string Replay(const std::string& name);

}  // namespace redline::testing

#endif  // REDLINE_TESTS_HARNESS_H_
