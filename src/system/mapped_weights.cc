#include "system/mapped_weights.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "base/files.h"
#include "base/unique_fd.h"

namespace redline {

MappedWeights::~MappedWeights() {
  for (auto& [name, m] : shards_)
    if (m.address) ::munmap(m.address, m.size);
}

void MappedWeights::Map(const std::string& dir, const WeightsManifest& manifest) {
  for (const ShardEntry& shard : manifest.shards) {
    std::string path = JoinPath(dir, shard.file_name);
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) ThrowErrno("open(\"" + path + "\")");
    struct stat st{};
    if (::fstat(fd.get(), &st) != 0) ThrowErrno("fstat(\"" + path + "\")");
    Mapping m;
    m.size = static_cast<size_t>(st.st_size);
    if (m.size > 0) {
      m.address = ::mmap(nullptr, m.size, PROT_READ, MAP_SHARED, fd.get(), 0);
      if (m.address == MAP_FAILED) ThrowErrno("mmap(\"" + path + "\")");
    }
    Mapping& slot = shards_[shard.file_name];
    if (slot.address) ::munmap(slot.address, slot.size);
    slot = m;
  }
}

std::optional<std::string_view> MappedWeights::Range(const ChallengeRange& range) const {
  auto it = shards_.find(range.file);
  if (it == shards_.end() || range.offset > it->second.size ||
      range.length > it->second.size - range.offset)
    return std::nullopt;
  return std::string_view(static_cast<const char*>(it->second.address) + range.offset,
                          range.length);
}

}  // namespace redline
