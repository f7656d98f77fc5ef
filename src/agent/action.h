// One action the model asked for, parsed and normalised (paper §2.2: the
// EXECUTE_CMD, RECEIVE_MSG and FINISH tools).
#ifndef REDLINE_AGENT_ACTION_H_
#define REDLINE_AGENT_ACTION_H_

#include <string>
#include <string_view>

namespace redline {

enum class ActionKind { kExecute, kReceive, kFinish };

enum class CommandType {
  kOneTime,      ///< wait for it to exit, return its output
  kLongRunning,  ///< start it, return early output; the terminal stays Busy
};

/// A valid action. Which fields are meaningful depends on `kind`:
/// kExecute uses terminal_id, command, command_type; kReceive uses
/// terminal_id; kFinish uses message. terminal_id is as the model wrote it
/// (trimmed, ints turned into strings); the environment validates it.
struct Action {
  ActionKind kind = ActionKind::kFinish;
  std::string terminal_id;
  std::string command;
  CommandType command_type = CommandType::kOneTime;
  std::string message;
};

/// The paper's tool names: "execute_command_in_terminal",
/// "receive_data_of_long_term_command_from_terminal", "finish".
inline std::string_view ActionName(ActionKind kind) {
  switch (kind) {
    case ActionKind::kExecute:
      return "execute_command_in_terminal";
    case ActionKind::kReceive:
      return "receive_data_of_long_term_command_from_terminal";
    case ActionKind::kFinish:
      return "finish";
  }
  return "finish";
}

/// "one_time" or "long_running".
inline std::string_view CommandTypeName(CommandType type) {
  return type == CommandType::kOneTime ? "one_time" : "long_running";
}

}  // namespace redline

#endif  // REDLINE_AGENT_ACTION_H_
