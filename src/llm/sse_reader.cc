#include "llm/sse_reader.h"

namespace redline {

void SseParser::Feed(std::string_view bytes) {
  partial_line_.append(bytes);
  size_t start = 0;
  for (size_t newline; (newline = partial_line_.find('\n', start)) != std::string::npos;
       start = newline + 1) {
    std::string_view line(partial_line_.data() + start, newline - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    Line(line);
  }
  partial_line_.erase(0, start);
}

std::vector<SseEvent> SseParser::TakeEvents() {
  std::vector<SseEvent> out;
  out.swap(events_);
  return out;
}

void SseParser::Line(std::string_view line) {
  if (line.empty()) {
    Dispatch();
    return;
  }
  // Comments and keep-alives (llama-server pings every 30 s by default).
  if (line.front() == ':') return;
  size_t colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::string_view value =
      colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
  // The standard strips one space after the colon; some servers send none.
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data") {
    if (has_data_) current_.data += '\n';
    current_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    current_.event = std::string(value);
  }
  // id: and retry: do not matter for a single POST.
}

void SseParser::Dispatch() {
  if (has_data_) {
    if (current_.data == "[DONE]")
      done_ = true;
    else
      events_.push_back(std::move(current_));
  }
  current_ = SseEvent{};
  has_data_ = false;
}

}  // namespace redline
