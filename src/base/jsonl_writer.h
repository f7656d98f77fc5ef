// An append-only JSON Lines file shared by threads (the trial's transcript).
#ifndef REDLINE_BASE_JSONL_WRITER_H_
#define REDLINE_BASE_JSONL_WRITER_H_

#include <mutex>
#include <string>

#include "base/unique_fd.h"

namespace redline {

/// Appends whole lines; each Append is one write(2) with O_APPEND, so a
/// crash loses at most the line being written and never interleaves lines.
class JsonlWriter {
 public:
  /// Opens (creating) `path`. Throws SystemError.
  explicit JsonlWriter(const std::string& path);
  /// `json_line` must be one JSON value without a newline. Thread-safe.
  /// Throws SystemError when the disk refuses the write.
  void Append(const std::string& json_line);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::mutex mutex_;
  UniqueFd fd_;
};

}  // namespace redline

#endif  // REDLINE_BASE_JSONL_WRITER_H_
