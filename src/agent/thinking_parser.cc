#include "agent/thinking_parser.h"

#include <array>
#include <cctype>
#include <nlohmann/json.hpp>

namespace redline {
namespace {

using Json = nlohmann::ordered_json;  // keeps the model's key order for echo

enum Part { kExplain, kGaps, kFindings, kPlan, kAction, kPartCount };
constexpr std::array<const char*, kPartCount> kPartNames = {
    "Explain", "Gaps", "Findings", "Plan", "Action"};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// Skips markdown emphasis ("**", "__", "*", "_") at line[*i].
void SkipEmphasis(std::string_view line, size_t* i) {
  while (*i < line.size() && (line[*i] == '*' || line[*i] == '_')) ++*i;
}

void SkipBlanks(std::string_view line, size_t* i) {
  while (*i < line.size() && (line[*i] == ' ' || line[*i] == '\t')) ++*i;
}

// Recognises a section header line such as "Plan:", "**Gaps**:",
// "## Findings:" or "**Action:**". Returns the part and, in *content, the
// offset where the section's text starts on that line.
std::optional<Part> MatchHeader(std::string_view line, size_t* content) {
  size_t i = 0;
  SkipBlanks(line, &i);
  while (i < line.size() && line[i] == '#') ++i;
  SkipBlanks(line, &i);
  SkipEmphasis(line, &i);
  size_t word_start = i;
  while (i < line.size() && std::isalpha(static_cast<unsigned char>(line[i])))
    ++i;
  std::string word = Lower(line.substr(word_start, i - word_start));
  std::optional<Part> part;
  if (word == "explain" || word == "explanation") part = kExplain;
  if (word == "gaps" || word == "gap") part = kGaps;
  if (word == "findings" || word == "finding") part = kFindings;
  if (word == "plan") part = kPlan;
  if (word == "action") part = kAction;
  if (!part) return std::nullopt;
  SkipBlanks(line, &i);
  SkipEmphasis(line, &i);
  SkipBlanks(line, &i);
  if (i >= line.size() || line[i] != ':') return std::nullopt;
  ++i;
  SkipEmphasis(line, &i);
  *content = i;
  return part;
}

struct Header {
  Part part;
  size_t line_start;     // offset of the header line in the response
  size_t content_start;  // offset of the section text
};

std::vector<Header> FindHeaders(std::string_view text) {
  std::vector<Header> headers;
  size_t line_start = 0;
  while (line_start <= text.size()) {
    size_t line_end = text.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = text.size();
    size_t content = 0;
    if (auto part = MatchHeader(text.substr(line_start, line_end - line_start),
                                &content)) {
      headers.push_back({*part, line_start, line_start + content});
    }
    line_start = line_end + 1;
  }
  return headers;
}

PyValue ToPy(const Json& j) {
  switch (j.type()) {
    case Json::value_t::object: {
      PyDict dict;
      for (const auto& [key, value] : j.items())
        dict.emplace_back(key, ToPy(value));
      return dict;
    }
    case Json::value_t::array: {
      PyList list;
      for (const auto& value : j) list.push_back(ToPy(value));
      return list;
    }
    case Json::value_t::string:
      return j.get<std::string>();
    case Json::value_t::boolean:
      return j.get<bool>();
    case Json::value_t::number_integer:
      return j.get<int64_t>();
    case Json::value_t::number_unsigned:
      return static_cast<int64_t>(j.get<uint64_t>());
    case Json::value_t::number_float:
      return j.get<double>();
    default:
      return PyValue();
  }
}

// Looks a key up ignoring case and surrounding spaces ("terminal_id " is in
// the paper's own log).
const Json* Find(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  for (const auto& [k, v] : object.items()) {
    if (Lower(Trim(k)) == key) return &v;
  }
  return nullptr;
}

std::optional<Json> ParseObject(std::string_view text, std::string* error) {
  try {
    Json j = Json::parse(text);
    if (j.is_object()) return j;
    if (error) *error = "it is not a JSON object";
  } catch (const Json::exception& e) {
    if (error) {
      // Drop nlohmann's "[json.exception.parse_error.101] " prefix.
      std::string what = e.what();
      size_t close = what.find("] ");
      *error = close == std::string::npos ? what : what.substr(close + 2);
    }
  }
  return std::nullopt;
}

// Contents of fenced code blocks starting at or after `from`, in order.
// An unterminated last fence runs to the end (responses get cut off).
std::vector<std::string_view> FencedBlocks(std::string_view text, size_t from) {
  std::vector<std::string_view> blocks;
  size_t pos = text.find("```", from);
  while (pos != std::string_view::npos) {
    // "```json\n{...}\n```" or, on one line, "```json {...} ```".
    size_t start = pos + 3;
    while (start < text.size() &&
           (std::isalnum(static_cast<unsigned char>(text[start])) ||
            text[start] == '_' || text[start] == '-' || text[start] == '+'))
      ++start;
    size_t line_end = text.find('\n', start);
    if (line_end != std::string_view::npos &&
        Trim(text.substr(start, line_end - start)).empty())
      start = line_end + 1;
    size_t close = text.find("```", start);
    blocks.push_back(text.substr(
        start,
        (close == std::string_view::npos ? text.size() : close) - start));
    if (close == std::string_view::npos) break;
    pos = text.find("```", close + 3);
  }
  return blocks;
}

// End (one past '}') of the balanced object opening at text[open], skipping
// braces inside JSON strings; npos if it never closes.
size_t MatchBrace(std::string_view text, size_t open) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = open; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}' && --depth == 0) {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// The last balanced {...} in the text that parses and has an "action" key.
std::optional<Json> LastActionObject(std::string_view text) {
  std::optional<Json> found;
  size_t pos = text.find('{');
  while (pos != std::string_view::npos) {
    size_t end = MatchBrace(text, pos);
    if (end != std::string_view::npos) {
      auto object = ParseObject(text.substr(pos, end - pos), nullptr);
      if (object && Find(*object, "action")) {
        found = std::move(object);
        pos = text.find('{', end);  // nested objects belong to this one
        continue;
      }
    }
    pos = text.find('{', pos + 1);
  }
  return found;
}

std::optional<std::string> TerminalId(const Json& input, std::string* error,
                                      const std::string& action) {
  const Json* id = Find(input, "terminal_id");
  if (id == nullptr || id->is_null()) {
    *error = "action '" + action + "' needs action_input.terminal_id";
    return std::nullopt;
  }
  if (id->is_string()) return std::string(Trim(id->get<std::string>()));
  if (id->is_number_integer()) return std::to_string(id->get<int64_t>());
  *error = "action_input.terminal_id must be a string such as \"1\"";
  return std::nullopt;
}

std::optional<CommandType> ParseCommandType(const Json* type,
                                            std::string* error) {
  if (type == nullptr || type->is_null()) return CommandType::kOneTime;
  if (!type->is_string()) {
    *error =
        "action_input.command_type must be \"one_time\" or \"long_running\"";
    return std::nullopt;
  }
  std::string name = Lower(Trim(type->get<std::string>()));
  for (char& c : name)
    if (c == '-' || c == ' ') c = '_';
  if (name == "one_time" || name == "onetime" || name == "short_term")
    return CommandType::kOneTime;
  if (name == "long_running" || name == "longrunning" || name == "long_term")
    return CommandType::kLongRunning;
  *error =
      "action_input.command_type must be \"one_time\" or \"long_running\", not "
      "'" +
      type->get<std::string>() + "'";
  return std::nullopt;
}

// Turns the action object into an Action, or explains what is wrong.
std::optional<Action> ToAction(const Json& object, std::string* error) {
  const Json* name_json = Find(object, "action");
  if (name_json == nullptr) {
    *error = "the JSON object has no \"action\" key";
    return std::nullopt;
  }
  if (!name_json->is_string()) {
    *error = "\"action\" must be a string naming the tool";
    return std::nullopt;
  }
  std::string name = Lower(Trim(name_json->get<std::string>()));
  Action action;
  if (name == "execute_command_in_terminal" || name == "execute_cmd") {
    action.kind = ActionKind::kExecute;
  } else if (name == "receive_data_of_long_term_command_from_terminal" ||
             name == "receive_msg") {
    action.kind = ActionKind::kReceive;
  } else if (name == "finish") {
    action.kind = ActionKind::kFinish;
  } else {
    *error = "unknown action '" + name_json->get<std::string>() +
             "'; use execute_command_in_terminal, "
             "receive_data_of_long_term_command_from_terminal or finish";
    return std::nullopt;
  }
  std::string canonical(ActionName(action.kind));
  const Json* input = Find(object, "action_input");
  Json decoded;
  if (input != nullptr && input->is_string() &&
      action.kind != ActionKind::kFinish) {
    // Some models double-encode the arguments as a JSON string.
    if (auto inner = ParseObject(input->get<std::string>(), nullptr)) {
      decoded = std::move(*inner);
      input = &decoded;
    }
  }
  if (action.kind == ActionKind::kFinish) {
    if (input != nullptr && input->is_string()) {
      action.message = input->get<std::string>();
      return action;
    }
    const Json* message = input ? Find(*input, "message") : nullptr;
    if (message == nullptr || !message->is_string()) {
      *error = "action 'finish' needs action_input.message (a string)";
      return std::nullopt;
    }
    action.message = message->get<std::string>();
    return action;
  }
  if (input == nullptr || !input->is_object()) {
    *error = "action '" + canonical + "' needs action_input as a JSON object";
    return std::nullopt;
  }
  auto id = TerminalId(*input, error, canonical);
  if (!id) return std::nullopt;
  action.terminal_id = *id;
  if (action.kind == ActionKind::kReceive) return action;
  const Json* command = Find(*input, "command");
  if (command == nullptr || !command->is_string() ||
      Trim(command->get<std::string>()).empty()) {
    *error = "action '" + canonical +
             "' needs action_input.command (a non-empty string)";
    return std::nullopt;
  }
  action.command = command->get<std::string>();
  auto type = ParseCommandType(Find(*input, "command_type"), error);
  if (!type) return std::nullopt;
  action.command_type = *type;
  return action;
}

}  // namespace

ParsedResponse ParseResponse(std::string_view text) {
  ParsedResponse parsed;
  std::vector<Header> headers = FindHeaders(text);
  std::array<bool, kPartCount> seen{};
  std::array<std::string*, kAction> slots = {
      &parsed.parts.explain, &parsed.parts.gaps, &parsed.parts.findings,
      &parsed.parts.plan};
  std::optional<size_t> action_at;
  for (size_t h = 0; h < headers.size(); ++h) {
    const Header& header = headers[h];
    if (header.part == kAction) action_at = header.content_start;
    if (seen[header.part]) continue;
    seen[header.part] = true;
    if (header.part == kAction) continue;
    size_t end =
        h + 1 < headers.size() ? headers[h + 1].line_start : text.size();
    *slots[header.part] = std::string(
        Trim(text.substr(header.content_start, end - header.content_start)));
  }
  for (int p = 0; p < kPartCount; ++p)
    if (!seen[p]) parsed.parts.missing.push_back(kPartNames[p]);

  std::optional<Json> object;
  std::string json_error;
  if (action_at) {
    std::vector<std::string_view> blocks = FencedBlocks(text, *action_at);
    for (auto it = blocks.rbegin(); it != blocks.rend() && !object; ++it) {
      std::string error;
      object = ParseObject(Trim(*it), &error);
      if (!object && json_error.empty()) json_error = error;
    }
  }
  if (!object) object = LastActionObject(text);
  if (!object) {
    parsed.format_error =
        json_error.empty()
            ? "no action found; write Action: followed by a fenced JSON block"
            : "the JSON block after Action: is not valid JSON (" + json_error +
                  ")";
    return parsed;
  }
  parsed.raw_action = ToPy(*object);
  std::string error;
  parsed.action = ToAction(*object, &error);
  if (!parsed.action) parsed.format_error = error;
  return parsed;
}

}  // namespace redline
