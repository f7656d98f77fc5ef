// Bounded reading and writing of '\n'-terminated lines on a stream socket
// whose other end is inside a device. Every read has a size limit, a
// deadline, a limit on silence and a minimum rate, so a peer that sends too
// much, too slowly or nothing at all costs the harness a bounded amount of
// memory and time. Used by the broker for each line of a connection.
#ifndef REDLINE_BROKER_LINE_IO_H_
#define REDLINE_BROKER_LINE_IO_H_

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace redline {

/// How ReadLineBounded ended.
enum class LineRead {
  kLine,      ///< a whole line is in *line (without its '\n')
  kClosed,    ///< the peer closed before sending a '\n'
  kTimedOut,  ///< the deadline passed
  kStalled,   ///< no byte arrived for `stall_seconds`
  kTooSlow,   ///< bytes arrived slower than `min_bytes_per_second`
  kTooLong,   ///< more than `max_bytes` before the '\n'
  kNoMemory,  ///< `reserve` refused to let the buffer grow
  kError,     ///< recv failed
};

/// What each outcome means, for a refusal line or a log.
const char* LineReadText(LineRead result);

struct LineReadOptions {
  /// Longest silence (no byte at all) before the line is complete.
  double stall_seconds = 10;
  /// After `grace_seconds`, the bytes read must keep up with this average
  /// rate since the read began (0: no rate rule): a dribbler loses its slot.
  double min_bytes_per_second = 0;
  double grace_seconds = 5;
  /// Asked before the line's buffer grows by n bytes of capacity; false
  /// refuses (kNoMemory) before anything more is read into memory. The
  /// caller accounts what it granted and gives it back once the line is
  /// gone. Empty: always granted (max_bytes still applies).
  std::function<bool(size_t n)> reserve;
};

/// Reads one line from `fd` into *line. Consumes the bytes of this line and
/// its '\n' only (it peeks first), so a second line the peer sent right
/// behind it is left for the next call. `deadline` is on MonotonicSeconds().
LineRead ReadLineBounded(int fd, size_t max_bytes, double deadline,
                         std::string* line, const LineReadOptions& options = {});

/// Writes `line` and a '\n' to `fd` (MSG_NOSIGNAL, never blocking past
/// `deadline`). False if the peer went away or did not read in time.
bool WriteLineBounded(int fd, std::string_view line, double deadline);

}  // namespace redline

#endif  // REDLINE_BROKER_LINE_IO_H_
