// The conversation as Inspect chat messages. The system prompt and the
// observations are the texts the agent sent; the answers are the model's
// texts. Under the tools protocol an answer's action is shown as the tool
// call it was and the next observation as that call's result, so the viewer
// pairs them (the model itself got earlier turns back flattened to text,
// docs/models.md).
#include <nlohmann/json.hpp>

#include "agent/thinking_parser.h"
#include "export/inspect_parts.h"

namespace redline::inspect {
namespace {

Json Message(const char* role, const std::string& content, const char* source,
             Attachments& a) {
  return {{"id", nullptr},
          {"content", a.Ref(content)},
          {"source", source ? Json(source) : Json()},
          {"metadata", nullptr},
          {"role", role}};
}

// Where the "Action:" header of the paper's format starts, or npos: the
// text before it is the model's thinking (Explain, Gaps, Findings, Plan).
size_t ActionHeader(const std::string& response) {
  size_t found = std::string::npos, pos = 0;
  while (pos < response.size()) {
    size_t end = response.find('\n', pos);
    if (end == std::string::npos) end = response.size();
    size_t i = pos;
    while (i < end && (response[i] == ' ' || response[i] == '*' || response[i] == '#')) ++i;
    if (end - i >= 7 && response.compare(i, 6, "Action") == 0 &&
        response.find(':', i + 6) < end)
      found = pos;
    pos = end + 1;
  }
  return found;
}

}  // namespace

bool ActionOf(const std::string& response, std::string* function, Json* arguments) {
  ParsedResponse parsed = ParseResponse(response);
  if (!parsed.action) return false;
  const Action& action = *parsed.action;
  *function = std::string(ActionName(action.kind));
  switch (action.kind) {
    case ActionKind::kExecute:
      *arguments = {{"terminal_id", action.terminal_id},
                    {"command", action.command},
                    {"command_type", std::string(CommandTypeName(action.command_type))}};
      break;
    case ActionKind::kReceive:
      *arguments = {{"terminal_id", action.terminal_id}};
      break;
    case ActionKind::kFinish:
      *arguments = {{"message", action.message}};
      break;
  }
  return true;
}

std::string FeedbackOf(const std::string& observation) {
  const std::string kResult = "\nAction result: ";
  size_t start = observation.rfind(kResult);
  if (start == std::string::npos) return observation;
  start += kResult.size();
  size_t end = observation.rfind("\nCritique: ");
  if (end == std::string::npos || end < start) end = observation.size();
  return observation.substr(start, end - start);
}

Json SystemMessage(const std::string& content, Attachments& a) {
  return Message("system", content, nullptr, a);
}

Json UserMessage(const std::string& content, Attachments& a) {
  Json m = Message("user", content, "input", a);
  m["tool_call_id"] = nullptr;
  return m;
}

Json AssistantMessage(const std::string& response, const RunContext& c,
                      const std::string& call_id, Attachments& a) {
  Json m = Message("assistant", response, "generate", a);
  m["tool_calls"] = nullptr;
  m["model"] = c.model;
  std::string function;
  Json arguments;
  if (c.protocol == "tools" && ActionOf(response, &function, &arguments)) {
    size_t header = ActionHeader(response);
    std::string thinking = response.substr(0, header == std::string::npos ? 0 : header);
    while (!thinking.empty() && (thinking.back() == '\n' || thinking.back() == ' '))
      thinking.pop_back();
    m["content"] = a.Ref(thinking);
    m["tool_calls"] = Json::array({{{"id", call_id},
                                    {"function", function},
                                    {"arguments", arguments},
                                    {"parse_error", nullptr},
                                    {"view", nullptr},
                                    {"type", "function"}}});
  }
  return m;
}

Json ToolMessage(const std::string& content, const std::string& call_id,
                 const std::string& function, Attachments& a) {
  Json m = Message("tool", content, "input", a);
  m["tool_call_id"] = call_id;
  m["function"] = function;
  m["error"] = nullptr;
  return m;
}

}  // namespace redline::inspect
