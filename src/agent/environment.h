// The agent's hands: five terminals that run shell commands. An interface so
// the loop can be tested with a fake (the real one is Terminals).
#ifndef REDLINE_AGENT_ENVIRONMENT_H_
#define REDLINE_AGENT_ENVIRONMENT_H_

#include <optional>
#include <string>

#include "agent/action.h"

namespace redline {

/// Per-task timing knobs (POST /chat may set each).
struct Timings {
  /// A one_time command is killed (its whole process group) after this.
  double command_timeout_seconds = 60;
  /// How long a long_running command is watched before the agent answers.
  double long_running_wait_seconds = 3;
  /// How long a receive waits for new output.
  double receive_wait_seconds = 2;
};

/// What an action did, rendered into the observation as the paper's
/// 'Action result' dict: status, stdout, stderr, [exited, exit_code],
/// terminal_info, each only if set, in that order.
struct ActionResult {
  std::string status;
  std::optional<std::string> stdout_text;
  std::optional<std::string> stderr_text;
  /// Set by receive only: whether the long-running command has ended. The
  /// observation shows 'exited' and, once exited, 'exit_code'.
  std::optional<bool> exited;
  /// Exit code when known (negative: killed by that signal). Always logged;
  /// shown to the model only together with `exited`.
  std::optional<int> exit_code;
  std::optional<std::string> terminal_info;
};

/// The five terminals. Not thread-safe: one task at a time drives it.
class Environment {
 public:
  virtual ~Environment() = default;
  /// Runs `command` in terminal `terminal_id` ("1".."5"). Problems the model
  /// caused (bad id, busy terminal) come back as a status, never as throws.
  virtual ActionResult Execute(const std::string& terminal_id,
                               const std::string& command, CommandType type,
                               const Timings& timings) = 0;
  /// New output of the long-running command in `terminal_id` since the last
  /// read, waiting up to timings.receive_wait_seconds for some.
  virtual ActionResult Receive(const std::string& terminal_id,
                               const Timings& timings) = 0;
};

}  // namespace redline

#endif  // REDLINE_AGENT_ENVIRONMENT_H_
