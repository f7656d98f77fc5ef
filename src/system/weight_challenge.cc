#include "system/weight_challenge.h"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/files.h"
#include "base/random.h"
#include "base/unique_fd.h"
#include "system/sha256.h"
#include "system/weights.h"

namespace redline {
namespace {

using ChallengeJson = nlohmann::json;

constexpr uint64_t kMaxRangeBytes = 4096;
constexpr size_t kMaxRanges = 64;

uint64_t RandomBelow(uint64_t bound) {
  if (bound <= 1) return 0;
  uint64_t value = 0;
  while (::getrandom(&value, sizeof value, 0) != sizeof value)
    if (errno != EINTR) ThrowErrno("getrandom");
  return value % bound;
}

// The bytes of one range read with pread from the harness's copy.
std::string ReadRange(int fd, const ChallengeRange& range, const std::string& path) {
  std::string bytes(range.length, '\0');
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::pread(fd, bytes.data() + done, bytes.size() - done,
                        static_cast<off_t>(range.offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ThrowErrno("pread(\"" + path + "\")");
    if (n == 0) throw SystemError("pread(\"" + path + "\")", EIO, "the shard is shorter than its index says");
    done += static_cast<size_t>(n);
  }
  return bytes;
}

std::optional<ChallengeJson> ParseObject(std::string_view line) {
  ChallengeJson parsed = ChallengeJson::parse(line, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  return parsed;
}

}  // namespace

std::string AnswerChallenge(const WeightChallenge& challenge, const RangeReader& read) {
  Sha256Hasher hasher;
  hasher.Update(challenge.nonce);
  for (const ChallengeRange& range : challenge.ranges) {
    std::optional<std::string_view> bytes = read(range);
    if (!bytes || bytes->size() != range.length) return "";
    hasher.Update(*bytes);
  }
  return hasher.FinalHex();
}

std::vector<PreparedChallenge> PrepareChallenges(const std::string& weights_dir,
                                                 int count, int ranges_per_challenge) {
  WeightsManifest manifest = ReadWeightsManifest(weights_dir);
  std::vector<UniqueFd> fds;
  for (const ShardEntry& shard : manifest.shards) {
    std::string path = JoinPath(weights_dir, shard.file_name);
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) ThrowErrno("open(\"" + path + "\")");
    fds.push_back(std::move(fd));
  }
  std::vector<PreparedChallenge> prepared;
  for (int c = 0; c < count; ++c) {
    PreparedChallenge p;
    p.challenge.nonce = RandomToken(32);
    std::vector<std::string> bytes;
    for (int r = 0; r < ranges_per_challenge && !manifest.shards.empty(); ++r) {
      size_t shard = RandomBelow(manifest.shards.size());
      uint64_t size = manifest.shards[shard].size_bytes;
      if (size == 0) continue;
      uint64_t length = std::min<uint64_t>(kMaxRangeBytes, size);
      ChallengeRange range{manifest.shards[shard].file_name,
                           RandomBelow(size - length + 1), length};
      bytes.push_back(ReadRange(fds[shard].get(), range,
                                JoinPath(weights_dir, range.file)));
      p.challenge.ranges.push_back(std::move(range));
    }
    size_t next = 0;
    p.answer = AnswerChallenge(p.challenge, [&](const ChallengeRange&) {
      return std::optional<std::string_view>(bytes[next++]);
    });
    prepared.push_back(std::move(p));
  }
  return prepared;
}

std::string AttestRequestLine(const std::string& model_name) {
  return ChallengeJson{{"attest", {{"model", model_name}}}}.dump(-1, ' ', false,
                                                       ChallengeJson::error_handler_t::replace);
}

bool IsAttestRequest(std::string_view line) {
  // Cheap first: generation requests are large and never start this way.
  if (line.substr(0, 12).find("\"attest\"") == std::string_view::npos) return false;
  std::optional<ChallengeJson> parsed = ParseObject(line);
  return parsed && parsed->contains("attest") && (*parsed)["attest"].is_object();
}

std::string ChallengeLine(const WeightChallenge& challenge) {
  ChallengeJson ranges = ChallengeJson::array();
  for (const ChallengeRange& r : challenge.ranges)
    ranges.push_back({{"file", r.file}, {"offset", r.offset}, {"length", r.length}});
  return ChallengeJson{{"challenge", {{"nonce", challenge.nonce}, {"ranges", ranges}}}}.dump();
}

std::optional<WeightChallenge> ParseChallengeLine(std::string_view line) {
  std::optional<ChallengeJson> parsed = ParseObject(line);
  if (!parsed || !parsed->contains("challenge")) return std::nullopt;
  const ChallengeJson& c = (*parsed)["challenge"];
  if (!c.is_object() || !c.contains("nonce") || !c["nonce"].is_string() ||
      !c.contains("ranges") || !c["ranges"].is_array() || c["ranges"].size() > kMaxRanges)
    return std::nullopt;
  WeightChallenge challenge;
  challenge.nonce = c["nonce"].get<std::string>();
  for (const ChallengeJson& r : c["ranges"]) {
    if (!r.is_object() || !r.contains("file") || !r["file"].is_string() ||
        !r.contains("offset") || !r["offset"].is_number_unsigned() ||
        !r.contains("length") || !r["length"].is_number_unsigned() ||
        r["length"].get<uint64_t>() > kMaxRangeBytes)
      return std::nullopt;
    challenge.ranges.push_back({r["file"].get<std::string>(), r["offset"].get<uint64_t>(),
                                r["length"].get<uint64_t>()});
  }
  return challenge;
}

std::string AnswerLine(const std::string& answer) {
  return ChallengeJson{{"answer", answer}}.dump();
}

std::optional<std::string> ParseAnswerLine(std::string_view line) {
  std::optional<ChallengeJson> parsed = ParseObject(line);
  if (!parsed || !parsed->contains("answer") || !(*parsed)["answer"].is_string())
    return std::nullopt;
  return (*parsed)["answer"].get<std::string>();
}

}  // namespace redline
