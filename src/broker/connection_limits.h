// The bounds on what one device can make its broker spend: connections,
// memory for requests in flight, time per request, valid requests per
// second, and bytes written to the trial's transcript. One broker serves
// one device, so each device gets its own share and cannot take another's.
// docs/containment.md says why each number is what it is.
#ifndef REDLINE_BROKER_CONNECTION_LIMITS_H_
#define REDLINE_BROKER_CONNECTION_LIMITS_H_

#include <cstddef>
#include <cstdint>
#include <mutex>

namespace redline {

struct BrokerLimits {
  /// Connections served at once (one worker thread each, at most); more
  /// are accepted, answered with one refusal line and closed at once.
  int max_connections = 16;
  /// Bytes of requests in memory at once over all connections, counting
  /// the read buffers and, while a request is handled, three times its size
  /// more (its parsed copy, the answer, the transcript record).
  size_t max_bytes_in_flight = 64u << 20;
  /// Longest request line. A conversation is tens of kilobytes; a 1M-token
  /// context about 4 MiB.
  size_t max_request_bytes = 16u << 20;
  /// A request line must be complete this long after the connection was
  /// taken up, must not go silent for `stall_seconds`, and after
  /// `grace_seconds` must have kept up `min_bytes_per_second` on average.
  double request_seconds = 30;
  double stall_seconds = 10;
  double grace_seconds = 5;
  double min_bytes_per_second = 16 * 1024;
  /// Valid requests: a token bucket of `rate_burst` that refills at
  /// `rate_per_second`. A scripted model's whole trial is a few dozen
  /// calls in seconds; a real model's calls take a second or more each.
  double rate_burst = 100;
  double rate_per_second = 20;
  /// Bytes the broker may append to the trial's transcript; then one
  /// truncation record and no more model_call records (counts go on).
  uint64_t max_transcript_bytes = 64ull << 20;
  /// Longest message content copied into one transcript record; longer
  /// ones are cut and the record says by how much.
  size_t max_logged_content_bytes = 1u << 20;
};

/// A pool of bytes shared by threads. Thread-safe.
class ByteBudget {
 public:
  explicit ByteBudget(size_t total) : total_(total) {}
  /// Takes `n` bytes if that many are free.
  bool TryTake(size_t n);
  void Give(size_t n);
  size_t InUse() const;
  size_t Peak() const;

 private:
  const size_t total_;
  mutable std::mutex mutex_;
  size_t used_ = 0;
  size_t peak_ = 0;
};

/// What one connection holds of a ByteBudget; gives it all back when
/// destroyed.
class BudgetHold {
 public:
  explicit BudgetHold(ByteBudget& budget) : budget_(budget) {}
  ~BudgetHold() { budget_.Give(held_); }
  BudgetHold(const BudgetHold&) = delete;
  BudgetHold& operator=(const BudgetHold&) = delete;
  bool Take(size_t n) {
    if (!budget_.TryTake(n)) return false;
    held_ += n;
    return true;
  }

 private:
  ByteBudget& budget_;
  size_t held_ = 0;
};

/// A token bucket on the monotonic clock. Thread-safe.
class TokenBucket {
 public:
  TokenBucket(double burst, double per_second);
  /// Takes one token if there is one.
  bool TryTake();

 private:
  const double burst_, per_second_;
  std::mutex mutex_;
  double tokens_;
  double last_;
};

}  // namespace redline

#endif  // REDLINE_BROKER_CONNECTION_LIMITS_H_
