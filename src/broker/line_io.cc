#include "broker/line_io.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "base/clock.h"

namespace redline {
namespace {

constexpr size_t kChunk = 64 * 1024;

// Waits for `events` on fd until `until`; false on timeout.
bool WaitFor(int fd, short events, double until) {
  for (;;) {
    double left = until - MonotonicSeconds();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::ceil(left * 1000)));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return true;  // let the call report it
  }
}

// Makes room for `more` bytes behind line->size(), asking `reserve` for the
// capacity first. Capacity at least doubles (as std::string's own growth
// does, so what is asked is what is allocated): O(log n) asks a line.
bool Grow(std::string* line, size_t more, const LineReadOptions& options) {
  size_t needed = line->size() + more;
  size_t capacity = line->capacity();
  if (needed <= capacity) return true;
  size_t target = std::max(needed, 2 * capacity);
  if (options.reserve && !options.reserve(target - capacity)) return false;
  line->reserve(target);
  return true;
}

}  // namespace

const char* LineReadText(LineRead result) {
  switch (result) {
    case LineRead::kLine: return "line read";
    case LineRead::kClosed: return "the connection closed before the end of the line";
    case LineRead::kTimedOut: return "the line did not arrive in time";
    case LineRead::kStalled: return "the connection went silent before the end of the line";
    case LineRead::kTooSlow: return "the line arrived too slowly";
    case LineRead::kTooLong: return "the line is too long";
    case LineRead::kNoMemory: return "the memory for requests in flight is in use";
    case LineRead::kError: return "reading the line failed";
  }
  return "?";
}

LineRead ReadLineBounded(int fd, size_t max_bytes, double deadline,
                         std::string* line, const LineReadOptions& options) {
  line->clear();
  double start = MonotonicSeconds();
  double last_byte = start;
  char buf[kChunk];
  for (;;) {
    double now = MonotonicSeconds();
    if (now >= deadline) return LineRead::kTimedOut;
    if (now - last_byte >= options.stall_seconds) return LineRead::kStalled;
    double elapsed = now - start;
    if (options.min_bytes_per_second > 0 && elapsed > options.grace_seconds &&
        static_cast<double>(line->size()) <
            options.min_bytes_per_second * (elapsed - options.grace_seconds))
      return LineRead::kTooSlow;
    // Wake at least every quarter second to apply the rate rule.
    double until = std::min({deadline, last_byte + options.stall_seconds, now + 0.25});
    if (!WaitFor(fd, POLLIN, until)) continue;
    ssize_t n = ::recv(fd, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return LineRead::kError;
    if (n == 0) return LineRead::kClosed;
    const char* newline = static_cast<const char*>(std::memchr(buf, '\n', size_t(n)));
    size_t take = newline ? size_t(newline - buf) + 1 : size_t(n);
    size_t content = newline ? take - 1 : take;
    if (line->size() + content > max_bytes) return LineRead::kTooLong;
    if (!Grow(line, content, options)) return LineRead::kNoMemory;
    // Consume exactly what was peeked and is ours.
    ssize_t got = ::recv(fd, buf, take, MSG_DONTWAIT);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (got <= 0) return got == 0 ? LineRead::kClosed : LineRead::kError;
    last_byte = MonotonicSeconds();
    bool complete = newline && size_t(got) == take;
    line->append(buf, complete ? size_t(got) - 1 : size_t(got));
    if (complete) return LineRead::kLine;
  }
}

bool WriteLineBounded(int fd, std::string_view line, double deadline) {
  for (std::string_view part : {line, std::string_view("\n")}) {
    size_t done = 0;
    while (done < part.size()) {
      if (!WaitFor(fd, POLLOUT, deadline)) return false;
      ssize_t n = ::send(fd, part.data() + done, part.size() - done,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
  }
  return true;
}

}  // namespace redline
