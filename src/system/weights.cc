#include "system/weights.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string_view>

#include "base/error.h"
#include "base/files.h"
#include "system/new_file.h"
#include "system/sha256.h"

namespace redline {
namespace {

using Json = nlohmann::ordered_json;

// Shards are produced and written in blocks of this size, so a large shard
// never sits in memory whole.
constexpr size_t kBlockBytes = 1 << 20;

// xorshift64*: fast, and far from zeros or any repeating pattern that a
// compressing copy tool could shortcut. Not for anything secret.
class ByteStream {
 public:
  explicit ByteStream(uint64_t seed) : state_(SplitMix(seed) | 1) {}

  void Fill(char* out, size_t size) {
    size_t i = 0;
    for (; i + 8 <= size; i += 8) {
      uint64_t word = Next();
      std::memcpy(out + i, &word, 8);
    }
    if (i < size) {
      uint64_t word = Next();
      std::memcpy(out + i, &word, size - i);
    }
  }

 private:
  static uint64_t SplitMix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  }
  uint64_t Next() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 0x2545f4914f6cdd1dULL;
  }
  uint64_t state_;
};

std::string TensorName(int number) {
  return "model.layers." + std::to_string(number - 1) + ".weight";
}

// The safetensors layout: an 8-byte little-endian header length, a JSON
// header padded with spaces to a multiple of 8, then the tensor data. One U8
// tensor fills the rest of the shard. Returns "" if the shard is too small to
// hold a header and at least one byte of data.
std::string SafetensorsHeader(int number, uint64_t shard_size) {
  auto header_json = [&](uint64_t payload) {
    Json h;
    h["__metadata__"] = {{"format", "pt"}};
    h[TensorName(number)] = {{"dtype", "U8"},
                             {"shape", Json::array({payload})},
                             {"data_offsets", Json::array({0, payload})}};
    return h.dump();
  };
  // The payload's digit count is at most the shard size's, so padding the
  // longest header to 8 bytes gives a length that fits any payload.
  size_t header_len = (header_json(shard_size).size() + 7) / 8 * 8;
  if (shard_size <= 8 + header_len) return "";
  uint64_t payload = shard_size - 8 - header_len;
  std::string text = header_json(payload);
  text.resize(header_len, ' ');
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i)
    out[i] = static_cast<char>((static_cast<uint64_t>(header_len) >> (8 * i)) &
                               0xff);
  return out + text;
}

// Writes one shard and returns its index entry, hashing as it writes.
ShardEntry WriteShard(const std::string& dir, int number, int count,
                      uint64_t size) {
  ShardEntry entry{ShardFileName(number, count), size, ""};
  std::string path = JoinPath(dir, entry.file_name);
  UniqueFd fd = CreateNewFile(path, 0644);
  Sha256Hasher hasher;
  std::string header = SafetensorsHeader(number, size);
  hasher.Update(header);
  WriteAll(fd.get(), header, path);
  ByteStream stream(static_cast<uint64_t>(number));
  std::string block;
  uint64_t left = size - header.size();
  while (left > 0) {
    block.resize(static_cast<size_t>(std::min<uint64_t>(left, kBlockBytes)));
    stream.Fill(block.data(), block.size());
    hasher.Update(block);
    WriteAll(fd.get(), block, path);
    left -= block.size();
  }
  entry.sha256 = hasher.FinalHex();
  return entry;
}

// Reads and parses one JSON file of the weights folder, as InputError.
Json ReadJsonFile(const std::string& path) {
  std::string text;
  try {
    text = ReadFile(path);
  } catch (const SystemError& e) {
    throw InputError("cannot read " + path + ": " +
                     std::strerror(e.error_code()));
  }
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object())
    throw InputError(path + " is not a JSON object");
  return json;
}

template <typename T>
T Field(const Json& object, const char* key, const std::string& where) {
  auto it = object.find(key);
  if (it == object.end())
    throw InputError(where + ": \"" + key + "\" is missing");
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw InputError(where + ": \"" + key + "\" has the wrong type");
  }
}

bool IsPlainFileName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." &&
         name.find('/') == std::string::npos;
}

}  // namespace

uint64_t WeightsManifest::TotalBytes() const {
  uint64_t total = 0;
  for (const ShardEntry& shard : shards) total += shard.size_bytes;
  return total;
}

std::string ShardFileName(int number, int count) {
  char name[64];
  std::snprintf(name, sizeof name, "model-%05d-of-%05d.safetensors", number,
                count);
  return name;
}

WeightsManifest WriteWeights(const std::string& dir,
                             const WeightsConfig& config,
                             uint64_t shard_size_bytes) {
  if (config.num_shards < 1 || config.num_shards > 99999)
    throw InputError("weights: num_shards must be 1..99999, not " +
                     std::to_string(config.num_shards));
  WeightsManifest manifest{config, {}};
  Json config_json;
  config_json["model_name"] = config.model_name;
  config_json["architecture"] = config.architecture;
  config_json["num_shards"] = config.num_shards;
  config_json["shard_load_seconds"] = config.shard_load_seconds;
  WriteNewFile(JoinPath(dir, kWeightsConfigFile), config_json.dump(2) + "\n",
               0644);

  Json shards = Json::array();
  Json weight_map = Json::object();
  for (int number = 1; number <= config.num_shards; ++number) {
    ShardEntry entry =
        WriteShard(dir, number, config.num_shards, shard_size_bytes);
    shards.push_back({{"file", entry.file_name},
                      {"size", entry.size_bytes},
                      {"sha256", entry.sha256}});
    weight_map[TensorName(number)] = entry.file_name;
    manifest.shards.push_back(std::move(entry));
  }
  // The layout of Hugging Face's index (metadata + weight_map) plus the
  // per-shard sizes and checksums the server verifies.
  Json index;
  index["metadata"] = {{"total_size", manifest.TotalBytes()}};
  index["shards"] = std::move(shards);
  index["weight_map"] = std::move(weight_map);
  WriteNewFile(JoinPath(dir, kWeightsIndexFile), index.dump(2) + "\n", 0644);
  return manifest;
}

WeightsManifest ReadWeightsManifest(const std::string& dir) {
  std::string config_path = JoinPath(dir, kWeightsConfigFile);
  std::string index_path = JoinPath(dir, kWeightsIndexFile);
  Json config_json = ReadJsonFile(config_path);
  Json index_json = ReadJsonFile(index_path);

  WeightsManifest manifest;
  WeightsConfig& config = manifest.config;
  config.model_name =
      Field<std::string>(config_json, "model_name", config_path);
  if (config_json.contains("architecture"))
    config.architecture =
        Field<std::string>(config_json, "architecture", config_path);
  config.num_shards = Field<int>(config_json, "num_shards", config_path);
  if (config_json.contains("shard_load_seconds"))
    config.shard_load_seconds =
        Field<double>(config_json, "shard_load_seconds", config_path);
  if (config.num_shards < 1)
    throw InputError(config_path + ": \"num_shards\" must be at least 1");
  if (config.shard_load_seconds < 0)
    throw InputError(config_path +
                     ": \"shard_load_seconds\" must not be negative");

  Json shards = Field<Json>(index_json, "shards", index_path);
  if (!shards.is_array())
    throw InputError(index_path + ": \"shards\" has the wrong type");
  for (size_t i = 0; i < shards.size(); ++i) {
    std::string where = index_path + ": shards[" + std::to_string(i) + "]";
    if (!shards[i].is_object()) throw InputError(where + " is not an object");
    ShardEntry entry;
    entry.file_name = Field<std::string>(shards[i], "file", where);
    entry.size_bytes = Field<uint64_t>(shards[i], "size", where);
    entry.sha256 = Field<std::string>(shards[i], "sha256", where);
    if (!IsPlainFileName(entry.file_name))
      throw InputError(where + ": \"" + entry.file_name +
                       "\" is not a file name in the weights folder");
    manifest.shards.push_back(std::move(entry));
  }
  if (manifest.shards.size() != static_cast<size_t>(config.num_shards))
    throw InputError(index_path + " lists " +
                     std::to_string(manifest.shards.size()) + " shards but " +
                     config_path + " says " +
                     std::to_string(config.num_shards));
  return manifest;
}

ShardCheck VerifyShard(const std::string& dir, const ShardEntry& shard) {
  std::string path = JoinPath(dir, shard.file_name);
  ShardCheck check;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      check.status = ShardStatus::kMissing;
    } else {
      check.status = ShardStatus::kUnreadable;
      check.detail = std::strerror(errno);
    }
    return check;
  }
  if (!S_ISREG(st.st_mode)) {
    check.status = ShardStatus::kUnreadable;
    check.detail = "not a regular file";
    return check;
  }
  check.actual_size = static_cast<uint64_t>(st.st_size);
  if (check.actual_size != shard.size_bytes) {
    check.status = ShardStatus::kWrongSize;
    return check;
  }
  std::string digest;
  try {
    digest = Sha256FileHex(path);
  } catch (const SystemError& e) {
    check.status = ShardStatus::kUnreadable;
    check.detail = std::strerror(e.error_code());
    return check;
  }
  if (digest != shard.sha256) check.status = ShardStatus::kBadChecksum;
  return check;
}

std::string DescribeShardCheck(const ShardEntry& shard,
                               const ShardCheck& check) {
  std::string name = "shard " + shard.file_name;
  switch (check.status) {
    case ShardStatus::kOk:
      return "";
    case ShardStatus::kMissing:
      return name + " is missing";
    case ShardStatus::kWrongSize:
      return name + " has size " + std::to_string(check.actual_size) +
             ", expected " + std::to_string(shard.size_bytes);
    case ShardStatus::kBadChecksum:
      return name + " failed its checksum";
    case ShardStatus::kUnreadable:
      return name + " cannot be read: " + check.detail;
  }
  return name + " is in an unknown state";
}

}  // namespace redline
