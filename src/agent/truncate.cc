#include "agent/truncate.h"

#include <cstdlib>

namespace redline {
namespace {

constexpr std::string_view kMarkerStart = "\n[... ";
constexpr std::string_view kMarkerEnd = " characters truncated ...]\n";

bool IsContinuationByte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Sum of the counts of earlier markers inside `dropped`, and their length,
// so the new marker reports original bytes rather than bytes of a summary.
void CountInnerMarkers(std::string_view dropped, size_t* hidden,
                       size_t* marker_bytes) {
  size_t pos = 0;
  while ((pos = dropped.find(kMarkerStart, pos)) != std::string_view::npos) {
    size_t digits = pos + kMarkerStart.size();
    size_t end = digits;
    while (end < dropped.size() && dropped[end] >= '0' && dropped[end] <= '9')
      ++end;
    if (end > digits && dropped.substr(end, kMarkerEnd.size()) == kMarkerEnd) {
      std::string number(dropped.substr(digits, end - digits));
      *hidden += std::strtoull(number.c_str(), nullptr, 10);
      *marker_bytes += end + kMarkerEnd.size() - pos;
      pos = end + kMarkerEnd.size();
    } else {
      pos = digits;
    }
  }
}

}  // namespace

std::string TruncationMarker(size_t dropped) {
  return std::string(kMarkerStart) + std::to_string(dropped) +
         std::string(kMarkerEnd);
}

std::string TruncateMiddle(std::string_view text, size_t limit) {
  if (text.size() <= limit) return std::string(text);
  size_t head_end = limit / 2;
  size_t tail_start = text.size() - limit / 2;
  // Never split a multi-byte character: shrink both kept parts instead.
  while (head_end > 0 && IsContinuationByte(text[head_end])) --head_end;
  while (tail_start < text.size() && IsContinuationByte(text[tail_start]))
    ++tail_start;
  std::string_view dropped = text.substr(head_end, tail_start - head_end);
  size_t hidden = 0, marker_bytes = 0;
  CountInnerMarkers(dropped, &hidden, &marker_bytes);
  size_t count = dropped.size() - marker_bytes + hidden;
  return std::string(text.substr(0, head_end)) + TruncationMarker(count) +
         std::string(text.substr(tail_start));
}

std::string JoinHeadTail(std::string_view head, std::string_view tail,
                         size_t total) {
  if (head.size() + tail.size() < total) {
    // The cuts were made blindly in a file: drop partial characters.
    size_t end = head.size();
    size_t back = 0;
    while (back < 4 && back < end && IsContinuationByte(head[end - 1 - back]))
      ++back;
    if (back < end) {
      unsigned char lead = static_cast<unsigned char>(head[end - 1 - back]);
      size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
      if (need > back + 1) head = head.substr(0, end - 1 - back);
    }
    size_t skip = 0;
    while (skip < tail.size() && skip < 3 && IsContinuationByte(tail[skip]))
      ++skip;
    tail = tail.substr(skip);
  }
  size_t shown = head.size() + tail.size();
  if (shown >= total) return std::string(head) + std::string(tail);
  return std::string(head) + TruncationMarker(total - shown) +
         std::string(tail);
}

}  // namespace redline
