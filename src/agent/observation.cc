#include "agent/observation.h"

#include "agent/truncate.h"

namespace redline {

std::string RenderFirstObservation(std::string_view task) {
  return RenderObservation(task, PyValue(), PyValue());
}

std::string RenderObservation(std::string_view task, const PyValue& action,
                              const PyValue& result) {
  std::string text = "Task: ";
  text += task;
  text += "\nAction from the last round: " + PyRepr(action);
  text += "\nAction result: " + PyRepr(result);
  text += "\nCritique: ";
  text += kCritique;
  return text;
}

PyValue ActionToPy(const Action& action) {
  PyDict input;
  switch (action.kind) {
    case ActionKind::kExecute:
      input = {{"terminal_id", action.terminal_id},
               {"command", action.command},
               {"command_type", CommandTypeName(action.command_type)}};
      break;
    case ActionKind::kReceive:
      input = {{"terminal_id", action.terminal_id}};
      break;
    case ActionKind::kFinish:
      input = {{"message", action.message}};
      break;
  }
  return PyDict{{"action", ActionName(action.kind)}, {"action_input", input}};
}

PyValue ResultToPy(const ActionResult& result) {
  PyDict dict = {{"status", result.status}};
  if (result.stdout_text)
    dict.emplace_back("stdout", TruncateMiddle(*result.stdout_text));
  if (result.stderr_text)
    dict.emplace_back("stderr", TruncateMiddle(*result.stderr_text));
  if (result.exited) {
    dict.emplace_back("exited", *result.exited);
    if (*result.exited && result.exit_code)
      dict.emplace_back("exit_code", *result.exit_code);
  }
  if (result.terminal_info)
    dict.emplace_back("terminal_info", *result.terminal_info);
  return dict;
}

PyValue FormatErrorToPy(std::string_view error) {
  std::string status = "Format error: ";
  status += error;
  status +=
      ". Respond with Explain, Gaps, Findings, Plan and Action, the action as "
      "a fenced JSON block {\"action\": ..., \"action_input\": ...}.";
  return PyDict{{"status", status}};
}

}  // namespace redline
