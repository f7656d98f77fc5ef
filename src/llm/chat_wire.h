// The body of a chat request as OpenAI's wire carries it, read on every step
// by the system's LLM server and again by the broker: the whole conversation
// so far, tens of kilobytes by the end of an episode. A SIMD parser reads it
// in microseconds where a tree-building one took a large part of a step
// (docs/performance.md); replies and records stay with nlohmann/json.
#ifndef REDLINE_LLM_CHAT_WIRE_H_
#define REDLINE_LLM_CHAT_WIRE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llm/model.h"

namespace redline {

struct WireChat {
  /// Every message's role and text; an array of text parts is joined with
  /// newlines, a null content is "".
  std::vector<Message> messages;
  /// Every content was a plain string.
  bool plain = true;
  std::optional<bool> stream;
  std::optional<int64_t> max_tokens;             ///< "max_tokens"
  std::optional<int64_t> max_completion_tokens;  ///< the newer name
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<int64_t> seed;
  /// "stop" as a list (one string becomes one element).
  std::vector<std::string> stop;
};

/// Parses `body`. Throws InputError with a one-line message fit to send back
/// to the client: not JSON (or not UTF-8), not an object, "messages" missing
/// or empty, a message that is not an object or has no string "role", a
/// content that is neither a string, null nor an array of text parts, or a
/// field of the wrong type. A null field counts as absent, as clients send it.
WireChat ParseWireChat(std::string_view body);

}  // namespace redline

#endif  // REDLINE_LLM_CHAT_WIRE_H_
