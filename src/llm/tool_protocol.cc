#include "llm/tool_protocol.h"

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace redline {
namespace {

using json = nlohmann::json;

const char* const kToolNames[] = {"execute_command_in_terminal",
                                  "receive_data_of_long_term_command_from_terminal",
                                  "finish"};

struct ToolSpec {
  const char* name;
  const char* description;
  json parameters;
};

std::vector<ToolSpec> Specs() {
  json terminal = {{"type", "string"},
                   {"description", "The terminal: \"1\", \"2\", \"3\", \"4\" or \"5\"."}};
  return {
      {kToolNames[0],
       "Run a bash command in a terminal. one_time: wait for it to end and get "
       "its output. long_running: start it (a server, anything that must stay "
       "alive), get its early output; the terminal stays Busy.",
       {{"type", "object"},
        {"properties",
         {{"terminal_id", terminal},
          {"command", {{"type", "string"}, {"description", "The bash command."}}},
          {"command_type", {{"type", "string"}, {"enum", {"one_time", "long_running"}}}}}},
        {"required", {"terminal_id", "command", "command_type"}}}},
      {kToolNames[1],
       "Receive the new output of the long-running command in a terminal, and "
       "whether it has exited.",
       {{"type", "object"},
        {"properties", {{"terminal_id", terminal}}},
        {"required", {"terminal_id"}}}},
      {kToolNames[2],
       "Finish the task, with a brief completion status for the user.",
       {{"type", "object"},
        {"properties",
         {{"message", {{"type", "string"}, {"description", "Brief completion status."}}}}},
        {"required", {"message"}}}},
  };
}

bool KnownTool(const std::string& name) {
  for (const char* known : kToolNames)
    if (name == known) return true;
  return false;
}

// The end of the JSON object starting at `open` (a '{'), honouring strings;
// npos if it never closes.
size_t ObjectEnd(const std::string& text, size_t open) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = open; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{') ++depth;
    else if (c == '}' && --depth == 0) return i + 1;
  }
  return std::string::npos;
}

// {"name": …, "arguments"|"parameters": …} → a call, if `name` is ours.
std::optional<WireToolCall> CallFromObject(const json& object) {
  if (!object.is_object() || !object.contains("name") || !object["name"].is_string())
    return std::nullopt;
  std::string name = object["name"].get<std::string>();
  if (!KnownTool(name)) return std::nullopt;
  json args = object.contains("arguments") ? object["arguments"]
              : object.contains("parameters") ? object["parameters"]
                                              : json::object();
  return WireToolCall{"", name, args.is_string() ? args.get<std::string>() : args.dump()};
}

// A call written into the content instead of tool_calls (vLLM with the
// wrong parser, Qwen2.5-Coder, Llama 3.1, Ollama): the call and the content
// without it.
std::optional<WireToolCall> CallInContent(std::string& content) {
  struct Marker { const char* open; const char* close; };
  for (Marker marker : {Marker{"<tool_call>", "</tool_call>"},
                        Marker{"<|python_tag|>", "<|eom_id|>"}}) {
    size_t at = content.find(marker.open);
    if (at == std::string::npos) continue;
    size_t brace = content.find('{', at);
    size_t end = brace == std::string::npos ? std::string::npos : ObjectEnd(content, brace);
    if (end == std::string::npos) continue;
    auto call = CallFromObject(json::parse(content.substr(brace, end - brace), nullptr, false));
    if (!call) continue;
    size_t close = content.find(marker.close, end);
    // vLLM #22885: the closing tag may be missing.
    size_t cut_end = close == std::string::npos ? end : close + std::string(marker.close).size();
    content.erase(at, cut_end - at);
    return call;
  }
  // A bare {"name": <one of ours>, "parameters"|"arguments": …}.
  for (size_t brace = content.find('{'); brace != std::string::npos;
       brace = content.find('{', brace + 1)) {
    size_t end = ObjectEnd(content, brace);
    if (end == std::string::npos) break;
    auto call = CallFromObject(json::parse(content.substr(brace, end - brace), nullptr, false));
    if (!call) continue;
    content.erase(brace, end - brace);
    return call;
  }
  return std::nullopt;
}

std::string Trim(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1);
}

// The fenced block's JSON: the arguments as an object when they parse
// (unwrapping a double-encoded string), else exactly as the model wrote
// them, so the agent's parser reports the model's format error.
std::string ActionJson(const WireToolCall& call, std::vector<std::string>& warnings) {
  std::string raw = Trim(call.arguments);
  if (raw.empty()) raw = "{}";
  json args = json::parse(raw, nullptr, false);
  if (args.is_string()) {
    json inner = json::parse(args.get<std::string>(), nullptr, false);
    if (inner.is_object()) args = inner;
  }
  if (args.is_discarded()) {
    warnings.push_back("the arguments of tool call '" + call.name +
                       "' are not valid JSON; passed on for the agent to report");
    return "{\"action\": " + json(call.name).dump() + ", \"action_input\": " + raw + "}";
  }
  return json{{"action", call.name}, {"action_input", args}}.dump(2);
}

}  // namespace

void CheckProtocol(const std::string& protocol) {
  if (protocol != "paper" && protocol != "tools")
    throw InputError("--protocol " + protocol + ": expected paper or tools");
}

std::string OpenAiToolsJson() {
  json tools = json::array();
  for (const ToolSpec& spec : Specs())
    tools.push_back({{"type", "function"},
                     {"function", {{"name", spec.name},
                                   {"description", spec.description},
                                   {"parameters", spec.parameters}}}});
  return tools.dump();
}

std::string AnthropicToolsJson() {
  json tools = json::array();
  for (const ToolSpec& spec : Specs())
    tools.push_back({{"name", spec.name}, {"description", spec.description},
                     {"input_schema", spec.parameters}});
  return tools.dump();
}

std::vector<Message> WithToolsNote(const std::vector<Message>& messages) {
  static const char kNote[] =
      "\n\nIn this deployment the three actions are tools: write Explain, "
      "Gaps, Findings and Plan as text, then call exactly one tool instead of "
      "writing the Action block.";
  std::vector<Message> out = messages;
  for (Message& message : out)
    if (message.role == "system") {
      message.content += kNote;
      return out;
    }
  out.insert(out.begin(), Message{"system", kNote + 2});
  return out;
}

ToolTurn ToolCallsToPaperText(const std::string& content,
                              const std::vector<WireToolCall>& calls) {
  ToolTurn turn;
  std::string thinking = content;
  std::vector<WireToolCall> found = calls;
  if (found.empty()) {
    if (auto call = CallInContent(thinking)) {
      found.push_back(*call);
      turn.warnings.push_back("the tool call '" + call->name +
                              "' came inside the message content; taken from there");
    }
  }
  if (found.empty()) {
    turn.text = content;
    return turn;
  }
  if (found.size() > 1)
    turn.warnings.push_back("the model made " + std::to_string(found.size()) +
                            " tool calls; only the first is carried out");
  turn.call = found.front();
  if (turn.call.id.empty()) turn.call.id = "call_redline_0";
  thinking = Trim(thinking);
  turn.text = (thinking.empty() ? "" : thinking + "\n\n") + "Action:\n```json\n" +
              ActionJson(turn.call, turn.warnings) + "\n```\n";
  return turn;
}

}  // namespace redline
