// The OpenAI chat-completions wire, as the llm-server speaks it: requests
// parsed into plain structs, responses rendered from plain structs into the
// bodies clients expect (OpenAI's API reference, "Chat Completions").
#ifndef REDLINE_SYSTEM_OPENAI_WIRE_H_
#define REDLINE_SYSTEM_OPENAI_WIRE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace redline {

struct ChatMessage {
  std::string role;
  /// Text; a content given as parts is joined with '\n'; null becomes "".
  std::string content;
};

/// The fields of a /v1/chat/completions request the server uses. Others
/// ("model", "n", "tools", …) are accepted and ignored.
struct ChatRequest {
  std::vector<ChatMessage> messages;
  bool stream = false;
  /// "max_tokens", or the newer "max_completion_tokens".
  std::optional<int64_t> max_tokens;
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<int64_t> seed;
  /// "stop" as a list (a single string becomes one element); empty if absent.
  std::vector<std::string> stop;
  /// Every content was a plain string: the body needs no normalising and
  /// can go to the broker as it came (see RelayChat).
  bool plain = true;
};

/// Parses a request body. Throws InputError with a one-line message fit to
/// send back to the client: not JSON, not an object, "messages" missing or
/// empty, a message without a string "role", a content that is neither a
/// string, null nor an array of text parts, or a field of the wrong type.
ChatRequest ParseChatRequest(std::string_view body);

/// One finished completion.
struct ChatCompletion {
  /// "chatcmpl-…".
  std::string id;
  /// Unix seconds.
  int64_t created = 0;
  std::string model;
  std::string content;
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
};

/// The "chat.completion" object: one choice, finish_reason "stop", usage.
std::string RenderChatCompletion(const ChatCompletion& completion);

/// The same completion as server-sent events, each "data: …\n\n": a
/// "chat.completion.chunk" whose delta holds the role and the whole content,
/// a chunk with an empty delta, finish_reason "stop" and usage, then
/// "data: [DONE]".
std::vector<std::string> RenderChatCompletionEvents(
    const ChatCompletion& completion);

/// {"object":"list","data":[{"id":model,"object":"model","owned_by":"local","created":…}]}.
std::string RenderModelList(std::string_view model, int64_t created);

/// {"error":{"message":…,"type":…,"code":status}}.
std::string RenderApiError(int status, std::string_view type,
                           std::string_view message);

}  // namespace redline

#endif  // REDLINE_SYSTEM_OPENAI_WIRE_H_
