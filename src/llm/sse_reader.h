// Server-sent events (text/event-stream) as model servers send them: the
// incremental parser under the streaming providers. Tolerant where servers
// differ (llm-interop.md §1): `: ping` comment lines, `data:` with or
// without a space, multi-line data, CRLF line ends, `event:` lines
// (Anthropic, old llama-server errors), the `[DONE]` sentinel.
#ifndef REDLINE_LLM_SSE_READER_H_
#define REDLINE_LLM_SSE_READER_H_

#include <string>
#include <string_view>
#include <vector>

namespace redline {

struct SseEvent {
  std::string event;  ///< the `event:` field; empty for plain data events
  std::string data;   ///< the `data:` lines joined by "\n"
};

/// Feed it bytes as they arrive, in pieces of any size; complete events
/// (those closed by a blank line) accumulate until taken.
class SseParser {
 public:
  void Feed(std::string_view bytes);
  /// The events completed so far, in order; clears them.
  std::vector<SseEvent> TakeEvents();
  /// A `data: [DONE]` event arrived (it is not returned as an event).
  bool done() const { return done_; }

 private:
  void Line(std::string_view line);
  void Dispatch();

  std::string partial_line_;
  SseEvent current_;
  bool has_data_ = false;
  bool done_ = false;
  std::vector<SseEvent> events_;
};

}  // namespace redline

#endif  // REDLINE_LLM_SSE_READER_H_
