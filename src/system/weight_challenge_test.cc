// The weight challenge: a holder of the shards answers it, a holder of
// other bytes does not, and the wire round-trips and rejects garbage.
#include "system/weight_challenge.h"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "system/mapped_weights.h"
#include "system/system_test_util.h"
#include "system/weights.h"

namespace redline {
namespace {

WeightsConfig TwoShards() {
  WeightsConfig c;
  c.model_name = "local-model";
  c.num_shards = 2;
  return c;
}

TEST(WeightChallengeTest, TheMappedShardsAnswerEveryChallenge) {
  ScopedTempDir dir;
  WeightsManifest manifest = WriteWeights(dir.path(), TwoShards(), 50000);
  std::vector<PreparedChallenge> prepared = PrepareChallenges(dir.path(), 5, 8);
  ASSERT_EQ(prepared.size(), 5u);
  MappedWeights weights;
  weights.Map(dir.path(), manifest);
  for (const PreparedChallenge& p : prepared) {
    EXPECT_EQ(p.challenge.ranges.size(), 8u);
    EXPECT_EQ(AnswerChallenge(p.challenge, [&](const ChallengeRange& r) { return weights.Range(r); }),
              p.answer);
  }
  // Fresh nonces: no two challenges share an answer.
  EXPECT_NE(prepared[0].answer, prepared[1].answer);
}

TEST(WeightChallengeTest, OtherBytesGiveAnotherAnswer) {
  ScopedTempDir dir;
  WeightsManifest manifest = WriteWeights(dir.path(), TwoShards(), 50000);
  PreparedChallenge p = PrepareChallenges(dir.path(), 1, 8)[0];
  // Flip one byte inside the first range of the shard it names.
  const ChallengeRange& r = p.challenge.ranges[0];
  std::string path = dir.path() + "/" + r.file;
  int fd = ::open(path.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  char byte = 0;
  ASSERT_EQ(::pread(fd, &byte, 1, static_cast<off_t>(r.offset)), 1);
  byte = static_cast<char>(byte ^ 1);
  ASSERT_EQ(::pwrite(fd, &byte, 1, static_cast<off_t>(r.offset)), 1);
  ::close(fd);
  MappedWeights weights;
  weights.Map(dir.path(), manifest);
  EXPECT_NE(AnswerChallenge(p.challenge, [&](const ChallengeRange& x) { return weights.Range(x); }),
            p.answer);
  // A range outside what is held cannot be answered at all.
  WeightChallenge outside{"n", {{r.file, 1u << 30, 16}}};
  EXPECT_EQ(AnswerChallenge(outside, [&](const ChallengeRange& x) { return weights.Range(x); }), "");
}

TEST(WeightChallengeTest, TheWireRoundTripsAndRejectsGarbage) {
  WeightChallenge c{"abc", {{"model-00001-of-00002.safetensors", 12, 4096}}};
  std::optional<WeightChallenge> back = ParseChallengeLine(ChallengeLine(c));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->nonce, "abc");
  ASSERT_EQ(back->ranges.size(), 1u);
  EXPECT_EQ(back->ranges[0].offset, 12u);
  EXPECT_TRUE(IsAttestRequest(AttestRequestLine("m")));
  EXPECT_FALSE(IsAttestRequest(R"({"messages":[{"role":"user","content":"\"attest\""}]})"));
  EXPECT_EQ(ParseAnswerLine(AnswerLine("ff")).value_or(""), "ff");
  EXPECT_FALSE(ParseChallengeLine("not json"));
  EXPECT_FALSE(ParseChallengeLine(R"({"challenge":{"nonce":1,"ranges":[]}})"));
  EXPECT_FALSE(ParseChallengeLine(
      R"({"challenge":{"nonce":"n","ranges":[{"file":"f","offset":0,"length":999999}]}})"));
  EXPECT_FALSE(ParseAnswerLine(R"({"answer":5})"));
}

}  // namespace
}  // namespace redline
