// Inspect's `.eval` log form: a zip archive of JSON members (header.json,
// samples/<id>_epoch_<n>.json, summaries.json, reductions.json and the
// _journal/ entries), written with libzip.
#ifndef REDLINE_EXPORT_EVAL_ZIP_H_
#define REDLINE_EXPORT_EVAL_ZIP_H_

#include <deque>
#include <string>

namespace redline {

/// Builds a zip archive member by member and writes it to `path` on
/// Close() (or discards it, if Close() was never called, on destruction).
/// Members are deflated, the compression Inspect and its viewer read.
class ZipWriter {
 public:
  /// Throws SystemError if `path` cannot be created.
  explicit ZipWriter(const std::string& path);
  ~ZipWriter();
  ZipWriter(const ZipWriter&) = delete;
  ZipWriter& operator=(const ZipWriter&) = delete;

  /// Adds a member; its name uses '/' for folders ("samples/1_epoch_1.json").
  /// Throws SystemError if libzip refuses it (e.g. a duplicate name).
  void Add(const std::string& name, std::string content);
  /// Compresses and writes the archive. Throws SystemError on failure.
  void Close();

 private:
  std::string path_;
  void* zip_ = nullptr;  // zip_t*, kept out of this header
  // libzip reads the member buffers when the archive is closed; a deque
  // never moves its elements as it grows.
  std::deque<std::string> contents_;
};

}  // namespace redline

#endif  // REDLINE_EXPORT_EVAL_ZIP_H_
