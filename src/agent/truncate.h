// Keeps long command output readable and bounded: head and tail survive,
// the middle is replaced by a marker that says how much was dropped.
#ifndef REDLINE_AGENT_TRUNCATE_H_
#define REDLINE_AGENT_TRUNCATE_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace redline {

/// Observation limit for stdout and stderr (the head and tail are half each).
inline constexpr size_t kObservationLimit = 10000;

/// The marker put where text was dropped: "\n[... N characters truncated
/// ...]\n".
std::string TruncationMarker(size_t dropped);

/// Returns `text` unchanged if it has at most `limit` bytes; otherwise its
/// first limit/2 and last limit/2 bytes (moved inwards to UTF-8 character
/// boundaries) joined by TruncationMarker(N). N counts bytes of the ORIGINAL
/// output that are not shown: a marker already inside the dropped middle
/// (from an earlier, coarser truncation) adds its own count, so truncating
/// twice reports the same total as truncating once.
std::string TruncateMiddle(std::string_view text,
                           size_t limit = kObservationLimit);

/// The same for a text of `total` bytes of which only `head` (its start) and
/// `tail` (its end) were read: joins them with the marker for the bytes in
/// between. Used when reading huge files without loading the middle.
std::string JoinHeadTail(std::string_view head, std::string_view tail,
                         size_t total);

}  // namespace redline

#endif  // REDLINE_AGENT_TRUNCATE_H_
