#include "broker/capped_transcript.h"

#include "base/clock.h"
#include "base/error.h"

namespace redline {

// Room kept under the cap for the truncation record itself.
constexpr uint64_t kNoteRoom = 512;

void CappedTranscript::Append(const std::string& json_line) {
  std::string note;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (truncated_) {
      ++dropped_;
      return;
    }
    uint64_t size = json_line.size() + 1;
    if (written_ + size + kNoteRoom > max_bytes_) {
      truncated_ = true;
      ++dropped_;
      note = "{\"type\":\"transcript_truncated\",\"t\":\"" + IsoTimestamp() +
             "\",\"limit_bytes\":" + std::to_string(max_bytes_) +
             ",\"written_bytes\":" + std::to_string(written_) +
             ",\"note\":\"the broker writes no more records for this trial; "
             "its counts are in verdict.json\"}";
      written_ += note.size() + 1;
    } else {
      written_ += size;
    }
  }
  try {
    out_.Append(note.empty() ? json_line : note);
  } catch (const SystemError&) {
  }
}

bool CappedTranscript::Truncated() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return truncated_;
}

uint64_t CappedTranscript::Written() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return written_;
}

}  // namespace redline
