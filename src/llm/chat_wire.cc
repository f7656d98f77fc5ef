#include "llm/chat_wire.h"

#include <simdjson.h>

#include "base/error.h"

namespace redline {
namespace {

namespace dom = simdjson::dom;

// Kept per thread (its buffers are the cost worth saving), but never larger
// than a long conversation: a huge request's memory goes back with it.
constexpr size_t kKeptParserBytes = size_t{1} << 20;

dom::parser& ThreadParser() {
  thread_local dom::parser parser;
  return parser;
}

// Clients send null for "not set" as often as they leave a field out.
std::optional<dom::element> Present(dom::object object, const char* key) {
  dom::element value;
  if (object[key].get(value) != simdjson::SUCCESS || value.is_null()) return std::nullopt;
  return value;
}

[[noreturn]] void Wrong(const char* key, const char* what) {
  throw InputError(std::string("\"") + key + "\" must be " + what);
}

std::optional<int64_t> OptionalInteger(dom::object object, const char* key) {
  std::optional<dom::element> value = Present(object, key);
  if (!value) return std::nullopt;
  int64_t n = 0;
  if (value->type() == dom::element_type::DOUBLE || value->get_int64().get(n))
    Wrong(key, "an integer");
  return n;
}

std::optional<double> OptionalNumber(dom::object object, const char* key) {
  std::optional<dom::element> value = Present(object, key);
  if (!value) return std::nullopt;
  double x = 0;
  if (value->get_double().get(x)) Wrong(key, "a number");
  return x;
}

std::string Text(dom::element e) { return std::string(std::string_view(e.get_string())); }

std::string ContentText(dom::element content, const std::string& where) {
  if (content.is_null()) return "";
  if (content.is_string()) return Text(content);
  dom::array parts;
  if (content.get_array().get(parts))
    throw InputError(where + ".content must be a string or an array of parts");
  std::string text;
  size_t j = 0;
  for (dom::element part : parts) {
    std::string part_where = where + ".content[" + std::to_string(j) + "]";
    dom::element type, part_text;
    if (!part.is_object() || part["type"].get(type) || !type.is_string())
      throw InputError(part_where + " must be an object with a \"type\"");
    if (std::string_view(type.get_string()) != "text")
      throw InputError(part_where + ": only \"text\" parts are supported, not \"" +
                       Text(type) + "\"");
    if (part["text"].get(part_text) || !part_text.is_string())
      throw InputError(part_where + ".text must be a string");
    if (j++ > 0) text += '\n';
    text += std::string_view(part_text.get_string());
  }
  return text;
}

void ReadMessages(dom::object body, WireChat* chat) {
  std::optional<dom::element> list = Present(body, "messages");
  if (!list) throw InputError("\"messages\" is required");
  dom::array messages;
  if (list->get_array().get(messages) || messages.size() == 0)
    throw InputError("\"messages\" must be a non-empty array");
  size_t i = 0;
  for (dom::element message : messages) {
    std::string where = "messages[" + std::to_string(i++) + "]";
    if (!message.is_object()) throw InputError(where + " must be an object");
    dom::element role, content;
    if (message["role"].get(role) || !role.is_string())
      throw InputError(where + ".role must be a string");
    bool has_content = !message["content"].get(content);
    chat->plain = chat->plain && has_content && content.is_string();
    chat->messages.push_back(
        {Text(role), has_content ? ContentText(content, where) : std::string()});
  }
}

std::vector<std::string> StopList(dom::object body) {
  std::optional<dom::element> stop = Present(body, "stop");
  if (!stop) return {};
  if (stop->is_string()) return {Text(*stop)};
  dom::array items;
  if (stop->get_array().get(items)) Wrong("stop", "a string or an array of strings");
  std::vector<std::string> list;
  for (dom::element item : items) {
    if (!item.is_string()) Wrong("stop", "a string or an array of strings");
    list.push_back(Text(item));
  }
  return list;
}

WireChat ReadChat(dom::element doc) {
  dom::object body;
  if (doc.get_object().get(body)) throw InputError("request body must be a JSON object");
  WireChat chat;
  ReadMessages(body, &chat);
  if (std::optional<dom::element> stream = Present(body, "stream")) {
    bool on = false;
    if (stream->get_bool().get(on)) Wrong("stream", "a boolean");
    chat.stream = on;
  }
  chat.max_tokens = OptionalInteger(body, "max_tokens");
  chat.max_completion_tokens = OptionalInteger(body, "max_completion_tokens");
  chat.temperature = OptionalNumber(body, "temperature");
  chat.top_p = OptionalNumber(body, "top_p");
  chat.seed = OptionalInteger(body, "seed");
  chat.stop = StopList(body);
  return chat;
}

}  // namespace

WireChat ParseWireChat(std::string_view body) {
  dom::parser& parser = ThreadParser();
  struct Shrink {
    dom::parser& parser;
    size_t bytes;
    ~Shrink() {
      if (bytes > kKeptParserBytes) parser = dom::parser();
    }
  } shrink{parser, body.size()};
  dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc))
    throw InputError("request body is not valid JSON");
  return ReadChat(doc);
}

}  // namespace redline
