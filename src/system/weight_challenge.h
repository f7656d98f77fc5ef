// The weight challenge: how an LLM server shows the broker that it holds the
// model's weights before the broker serves it.
//
// At deployment the harness reads a few random byte ranges of the freshly
// written shards and remembers, for each of a set of challenges, a random
// nonce and the SHA-256 over that nonce and those ranges' bytes. When a
// server starts it asks to attest; the broker hands it one unused challenge
// (nonce and ranges), and the server answers with the digest computed from
// the weights it has mapped. Each challenge is used once, so an answer can
// neither be replayed nor computed without the bytes themselves.
//
// Wire (one line each, on one connection to the broker, after the broker
// has identified the peer by SO_PEERCRED):
//   server → broker  {"attest":{"model":"<name>"}}
//   broker → server  {"challenge":{"nonce":"<hex>","ranges":[{"file":"<shard>",
//                     "offset":N,"length":N},…]}}   | {"ok":false,"error":"…"}
//   server → broker  {"answer":"<64 hex>"}
//   broker → server  {"ok":true} | {"ok":false,"error":"…"}
#ifndef REDLINE_SYSTEM_WEIGHT_CHALLENGE_H_
#define REDLINE_SYSTEM_WEIGHT_CHALLENGE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace redline {

struct ChallengeRange {
  std::string file;   ///< shard file name, as the index lists it
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct WeightChallenge {
  std::string nonce;  ///< 32 hex digits
  std::vector<ChallengeRange> ranges;
};

/// A challenge and the answer a holder of the weights gives.
struct PreparedChallenge {
  WeightChallenge challenge;
  std::string answer;
};

/// Bytes of one range, as the answering side holds them; an empty optional
/// if the range lies outside what it holds.
using RangeReader =
    std::function<std::optional<std::string_view>(const ChallengeRange&)>;

/// SHA-256 (hex) over the nonce, then each range's bytes in order; "" if a
/// range cannot be read.
std::string AnswerChallenge(const WeightChallenge& challenge, const RangeReader& read);

/// `count` challenges over the shards in `weights_dir` (as its index lists
/// them), each with `ranges_per_challenge` random ranges of up to 4 KiB.
/// Reads only those ranges. Throws SystemError or InputError for a folder it
/// cannot read.
std::vector<PreparedChallenge> PrepareChallenges(const std::string& weights_dir,
                                                 int count, int ranges_per_challenge);

// The wire, one JSON line each (see above). Parsers return nullopt for
// anything malformed; they never throw.
std::string AttestRequestLine(const std::string& model_name);
/// True if `line` is an attest request (the broker's dispatch).
bool IsAttestRequest(std::string_view line);
std::string ChallengeLine(const WeightChallenge& challenge);
std::optional<WeightChallenge> ParseChallengeLine(std::string_view line);
std::string AnswerLine(const std::string& answer);
std::optional<std::string> ParseAnswerLine(std::string_view line);

}  // namespace redline

#endif  // REDLINE_SYSTEM_WEIGHT_CHALLENGE_H_
