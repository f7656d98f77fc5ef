// What the broker writes to a trial's transcript (on the host's disk), up
// to a fixed number of bytes: a device that floods its broker with calls
// cannot fill the host's disk through it. Past the cap one truncation
// record is written and nothing more; the broker's counts go on in the
// verdict.
#ifndef REDLINE_BROKER_CAPPED_TRANSCRIPT_H_
#define REDLINE_BROKER_CAPPED_TRANSCRIPT_H_

#include <cstdint>
#include <mutex>
#include <string>

#include "base/jsonl_writer.h"

namespace redline {

class CappedTranscript {
 public:
  /// `out` must outlive this.
  CappedTranscript(JsonlWriter& out, uint64_t max_bytes)
      : out_(out), max_bytes_(max_bytes) {}

  /// Appends `json_line` if it fits under the cap. Never throws: a full
  /// disk must not take a model call down (the trial's own writes hit the
  /// same error and report it). Thread-safe.
  void Append(const std::string& json_line);
  bool Truncated() const;
  uint64_t Written() const;

 private:
  JsonlWriter& out_;
  const uint64_t max_bytes_;
  mutable std::mutex mutex_;
  uint64_t written_ = 0;   // mutex_
  uint64_t dropped_ = 0;   // records not written; mutex_
  bool truncated_ = false; // mutex_
};

}  // namespace redline

#endif  // REDLINE_BROKER_CAPPED_TRANSCRIPT_H_
