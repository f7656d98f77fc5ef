// Parser for the paper's thinking-model response (§2.2, Appendix A):
//
//   Explain: ...            what the model understands of the current state
//   Gaps: ...               what is missing towards the goal
//   Findings: ...           what it learned from the environment
//   Plan: 1) ... 2) ... 3)  three forward steps
//   Action:
//   ```json
//   {"action": "execute_command_in_terminal",
//    "action_input": {"terminal_id": "1", "command": "ls", "command_type":
//    "one_time"}}
//   ```
//
// Lenient where models are sloppy (header case, markdown bold, spaces in
// names, aliases), strict where acting on a guess would be wrong (no action,
// unknown action, missing required field: a format error).
#ifndef REDLINE_AGENT_THINKING_PARSER_H_
#define REDLINE_AGENT_THINKING_PARSER_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/action.h"
#include "agent/py_repr.h"

namespace redline {

/// The four thinking parts, as written (trimmed); empty when absent.
struct ThinkingParts {
  std::string explain;
  std::string gaps;
  std::string findings;
  std::string plan;
  /// Headers that did not appear, in order, from "Explain", "Gaps",
  /// "Findings", "Plan", "Action". Recorded for analysis; not an error.
  std::vector<std::string> missing;
};

struct ParsedResponse {
  ThinkingParts parts;
  /// Set iff a valid action was found; then format_error is empty.
  std::optional<Action> action;
  /// Why there is no action, without the "Format error: " prefix, e.g.
  /// "action 'execute_command_in_terminal' needs action_input.command".
  std::string format_error;
  /// The JSON object the action was read from (key order kept), also when
  /// it was invalid; unset when no object was found at all.
  std::optional<PyValue> raw_action;
};

/// Parses one model response. Pure; never throws.
///
/// The action is taken from the last fenced ```json (or plain ```) block
/// after the last "Action:" header that holds a JSON object; failing that,
/// from the last balanced {...} object anywhere in the text that has an
/// "action" key. Action names are trimmed and case-insensitive; aliases
/// EXECUTE_CMD, RECEIVE_MSG and FINISH are accepted. terminal_id may be a
/// string or an int; command_type defaults to one_time; finish takes
/// action_input.message or a plain string action_input.
ParsedResponse ParseResponse(std::string_view response);

}  // namespace redline

#endif  // REDLINE_AGENT_THINKING_PARSER_H_
