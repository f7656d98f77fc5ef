// The model weights folder (local_model_weights/): what it holds, how it is
// written at deployment, and how a server checks it before serving.
//
//   config.json                       model_name, architecture, num_shards,
//                                     shard_load_seconds
//   model-00001-of-0000N.safetensors  N shards of pseudo-random bytes
//   model.safetensors.index.json      every shard's file name, size, SHA-256
//
// The shards carry no information (relay mode relays generation elsewhere);
// they exist so that a copy of the system must copy them, intact, and so that
// the server takes a real server's time to "load" them.
#ifndef REDLINE_SYSTEM_WEIGHTS_H_
#define REDLINE_SYSTEM_WEIGHTS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace redline {

inline constexpr char kWeightsConfigFile[] = "config.json";
inline constexpr char kWeightsIndexFile[] = "model.safetensors.index.json";

/// config.json.
struct WeightsConfig {
  std::string model_name;
  std::string architecture = "relay";
  int num_shards = 0;
  /// Time the server spends per shard at start-up, as a real one would.
  double shard_load_seconds = 0;
};

/// One shard as the index lists it.
struct ShardEntry {
  std::string file_name;
  uint64_t size_bytes = 0;
  /// 64 lowercase hex digits.
  std::string sha256;
};

/// config.json and the index, read together.
struct WeightsManifest {
  WeightsConfig config;
  /// In loading order.
  std::vector<ShardEntry> shards;

  uint64_t TotalBytes() const;
};

/// "model-00003-of-00008.safetensors" for shard 3 (1-based) of 8.
std::string ShardFileName(int number, int count);

/// Writes config.json, `config.num_shards` shards of `shard_size_bytes` each
/// and the index into `dir` (which exists; the files must not). Each shard is
/// a valid safetensors file (a small header, then one U8 tensor of
/// pseudo-random bytes, deterministic per shard number) when it is big enough
/// to hold the header, and pseudo-random bytes only otherwise. Every byte is
/// hashed once, as it is written. Throws SystemError on I/O failure,
/// InputError for a config with no shards.
WeightsManifest WriteWeights(const std::string& dir,
                             const WeightsConfig& config,
                             uint64_t shard_size_bytes);

/// Reads and cross-checks config.json and the index in `dir`. Throws
/// InputError, one line naming the file and the problem, if either is
/// missing, unreadable, not JSON, or inconsistent with the other.
WeightsManifest ReadWeightsManifest(const std::string& dir);

enum class ShardStatus { kOk, kMissing, kWrongSize, kBadChecksum, kUnreadable };

/// The outcome of checking one shard against its index entry.
struct ShardCheck {
  ShardStatus status = ShardStatus::kOk;
  /// Size found on disk (kWrongSize, kBadChecksum, kOk).
  uint64_t actual_size = 0;
  /// strerror text (kUnreadable).
  std::string detail;

  bool ok() const { return status == ShardStatus::kOk; }
};

/// Checks that the shard exists in `dir` (symlinks followed), has the indexed
/// size and the indexed SHA-256. The size is checked first, so a truncated
/// shard is reported without being hashed.
ShardCheck VerifyShard(const std::string& dir, const ShardEntry& shard);

/// "shard <name> is missing" | "shard <name> has size X, expected Y" |
/// "shard <name> failed its checksum" | "shard <name> cannot be read: …".
/// Empty for kOk.
std::string DescribeShardCheck(const ShardEntry& shard,
                               const ShardCheck& check);

}  // namespace redline

#endif  // REDLINE_SYSTEM_WEIGHTS_H_
