#include "system/openai_wire.h"

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace redline {
namespace {

using Json = nlohmann::ordered_json;

// Clients send null for "not set" as often as they leave a field out.
const Json* Present(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

std::optional<int64_t> OptionalInteger(const Json& object, const char* key) {
  const Json* value = Present(object, key);
  if (!value) return std::nullopt;
  if (!value->is_number_integer())
    throw InputError(std::string("\"") + key + "\" must be an integer");
  return value->get<int64_t>();
}

std::optional<double> OptionalNumber(const Json& object, const char* key) {
  const Json* value = Present(object, key);
  if (!value) return std::nullopt;
  if (!value->is_number())
    throw InputError(std::string("\"") + key + "\" must be a number");
  return value->get<double>();
}

std::string ContentText(const Json& content, const std::string& where) {
  if (content.is_null()) return "";
  if (content.is_string()) return content.get<std::string>();
  if (!content.is_array())
    throw InputError(where + ".content must be a string or an array of parts");
  std::string text;
  for (size_t j = 0; j < content.size(); ++j) {
    const Json& part = content[j];
    std::string part_where = where + ".content[" + std::to_string(j) + "]";
    if (!part.is_object() || !part.contains("type") ||
        !part["type"].is_string())
      throw InputError(part_where + " must be an object with a \"type\"");
    std::string type = part["type"].get<std::string>();
    if (type != "text")
      throw InputError(part_where +
                       ": only \"text\" parts are supported, not \"" + type +
                       "\"");
    if (!part.contains("text") || !part["text"].is_string())
      throw InputError(part_where + ".text must be a string");
    if (j > 0) text += '\n';
    text += part["text"].get<std::string>();
  }
  return text;
}

std::vector<std::string> StopList(const Json& object) {
  const Json* stop = Present(object, "stop");
  if (!stop) return {};
  if (stop->is_string()) return {stop->get<std::string>()};
  std::vector<std::string> list;
  if (stop->is_array()) {
    for (const Json& item : *stop) {
      if (!item.is_string()) break;
      list.push_back(item.get<std::string>());
    }
    if (list.size() == stop->size()) return list;
  }
  throw InputError("\"stop\" must be a string or an array of strings");
}

Json Usage(const ChatCompletion& completion) {
  return {{"prompt_tokens", completion.prompt_tokens},
          {"completion_tokens", completion.completion_tokens},
          {"total_tokens",
           completion.prompt_tokens + completion.completion_tokens}};
}

Json ChunkHead(const ChatCompletion& completion) {
  return {{"id", completion.id},
          {"object", "chat.completion.chunk"},
          {"created", completion.created},
          {"model", completion.model}};
}

// Replaces invalid UTF-8 instead of throwing: a reply must always go out.
std::string Dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string Event(const Json& data) { return "data: " + Dump(data) + "\n\n"; }

}  // namespace

ChatRequest ParseChatRequest(std::string_view body) {
  Json json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) throw InputError("request body is not valid JSON");
  if (!json.is_object()) throw InputError("request body must be a JSON object");
  const Json* messages = Present(json, "messages");
  if (!messages) throw InputError("\"messages\" is required");
  if (!messages->is_array() || messages->empty())
    throw InputError("\"messages\" must be a non-empty array");

  ChatRequest request;
  for (size_t i = 0; i < messages->size(); ++i) {
    const Json& message = (*messages)[i];
    std::string where = "messages[" + std::to_string(i) + "]";
    if (!message.is_object()) throw InputError(where + " must be an object");
    if (!message.contains("role") || !message["role"].is_string())
      throw InputError(where + ".role must be a string");
    static const Json kNull;
    const Json& content = message.contains("content") ? message["content"] : kNull;
    request.plain = request.plain && content.is_string();
    request.messages.push_back(
        {message["role"].get<std::string>(), ContentText(content, where)});
  }
  if (const Json* stream = Present(json, "stream")) {
    if (!stream->is_boolean()) throw InputError("\"stream\" must be a boolean");
    request.stream = stream->get<bool>();
  }
  request.max_tokens = OptionalInteger(json, "max_tokens");
  if (!request.max_tokens)
    request.max_tokens = OptionalInteger(json, "max_completion_tokens");
  request.temperature = OptionalNumber(json, "temperature");
  request.top_p = OptionalNumber(json, "top_p");
  request.seed = OptionalInteger(json, "seed");
  request.stop = StopList(json);
  return request;
}

std::string RenderChatCompletion(const ChatCompletion& completion) {
  Json body = {
      {"id", completion.id},
      {"object", "chat.completion"},
      {"created", completion.created},
      {"model", completion.model},
      {"choices",
       Json::array({{{"index", 0},
                     {"message",
                      {{"role", "assistant"}, {"content", completion.content}}},
                     {"finish_reason", "stop"}}})},
      {"usage", Usage(completion)}};
  return Dump(body);
}

std::vector<std::string> RenderChatCompletionEvents(
    const ChatCompletion& completion) {
  Json first = ChunkHead(completion);
  first["choices"] = Json::array(
      {{{"index", 0},
        {"delta", {{"role", "assistant"}, {"content", completion.content}}},
        {"finish_reason", nullptr}}});
  Json last = ChunkHead(completion);
  last["choices"] = Json::array(
      {{{"index", 0}, {"delta", Json::object()}, {"finish_reason", "stop"}}});
  last["usage"] = Usage(completion);
  return {Event(first), Event(last), "data: [DONE]\n\n"};
}

std::string RenderModelList(std::string_view model, int64_t created) {
  Json body = {{"object", "list"},
               {"data", Json::array({{{"id", model},
                                      {"object", "model"},
                                      {"owned_by", "local"},
                                      {"created", created}}})}};
  return Dump(body);
}

std::string RenderApiError(int status, std::string_view type,
                           std::string_view message) {
  Json body = {
      {"error", {{"message", message}, {"type", type}, {"code", status}}}};
  return Dump(body);
}

}  // namespace redline
