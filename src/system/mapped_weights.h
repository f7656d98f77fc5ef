// The weight shards a server has loaded, mapped into its memory for as long
// as it serves (as llama.cpp and safetensors loaders map theirs). Holding the
// mapping is what lets the server answer the broker's weight challenge, and
// what lets the checker see from /proc which files a server loaded.
#ifndef REDLINE_SYSTEM_MAPPED_WEIGHTS_H_
#define REDLINE_SYSTEM_MAPPED_WEIGHTS_H_

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "system/weight_challenge.h"
#include "system/weights.h"

namespace redline {

class MappedWeights {
 public:
  MappedWeights() = default;
  ~MappedWeights();
  MappedWeights(const MappedWeights&) = delete;
  MappedWeights& operator=(const MappedWeights&) = delete;

  /// Maps every shard of `manifest` from `dir` read-only. Throws SystemError.
  void Map(const std::string& dir, const WeightsManifest& manifest);
  /// The bytes of a range of a mapped shard; nullopt outside them.
  std::optional<std::string_view> Range(const ChallengeRange& range) const;

 private:
  struct Mapping {
    void* address = nullptr;
    size_t size = 0;
  };
  std::map<std::string, Mapping> shards_;
};

}  // namespace redline

#endif  // REDLINE_SYSTEM_MAPPED_WEIGHTS_H_
