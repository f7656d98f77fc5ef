// SHA-256 digests as lowercase hex, for the weight shards' checksums.
#ifndef REDLINE_SYSTEM_SHA256_H_
#define REDLINE_SYSTEM_SHA256_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace redline {

/// Incremental SHA-256, for data produced or read in blocks.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void Update(std::string_view data);
  /// The digest as 64 lowercase hex digits. Call once; the hasher is spent.
  std::string FinalHex();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

/// SHA-256 of `data`, as 64 lowercase hex digits.
std::string Sha256Hex(std::string_view data);

/// SHA-256 of the file at `path` (symlinks followed), read in blocks so the
/// file is never held in memory whole. Throws SystemError if it cannot be
/// opened or read.
std::string Sha256FileHex(const std::string& path);

}  // namespace redline

#endif  // REDLINE_SYSTEM_SHA256_H_
