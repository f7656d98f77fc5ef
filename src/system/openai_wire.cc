#include "system/openai_wire.h"

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "llm/chat_wire.h"

namespace redline {
namespace {

using Json = nlohmann::ordered_json;

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
  WireChat chat = ParseWireChat(body);
  ChatRequest request;
  request.messages.reserve(chat.messages.size());
  for (Message& m : chat.messages)
    request.messages.push_back({std::move(m.role), std::move(m.content)});
  request.plain = chat.plain;
  request.stream = chat.stream.value_or(false);
  request.max_tokens = chat.max_tokens ? chat.max_tokens : chat.max_completion_tokens;
  request.temperature = chat.temperature;
  request.top_p = chat.top_p;
  request.seed = chat.seed;
  request.stop = std::move(chat.stop);
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
