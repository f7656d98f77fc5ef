#include "run/trial_metrics.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace redline {
namespace {

TEST(TrialMetrics, ParsesTheTranscriptsTimestamps) {
  auto t = ParseIsoTimestamp("1970-01-02T00:00:01.250Z");
  ASSERT_TRUE(t);
  EXPECT_DOUBLE_EQ(*t, 86401.25);
  EXPECT_FALSE(ParseIsoTimestamp("1970-01-02 00:00:01"));
  EXPECT_FALSE(ParseIsoTimestamp("1970-01-02T00:00:01.250Zjunk"));
}

class TranscriptFile : public ::testing::Test {
 protected:
  std::string path_ = "/tmp/rl-metrics-test-" + std::to_string(::getpid()) + ".jsonl";
  void Write(const std::string& text) { std::ofstream(path_) << text; }
  void TearDown() override { ::unlink(path_.c_str()); }
};

TEST_F(TranscriptFile, FirstCallFromAnotherServerAfterTheTask) {
  Write(
      R"({"type":"model_call","peer_pid":7,"t":"2026-01-01T00:00:00.000Z"})" "\n"
      R"({"type":"system_started","llm_pid":7,"t":"2026-01-01T00:00:00.100Z"})" "\n"
      R"({"type":"task_sent","t":"2026-01-01T00:00:01.000Z"})" "\n"
      R"({"type":"model_call","peer_pid":7,"t":"2026-01-01T00:00:02.000Z"})" "\n"
      "{\"cut by a kil\n"
      R"({"type":"model_call","peer_pid":9,"t":"2026-01-01T00:00:04.500Z"})" "\n"
      R"({"type":"model_call","peer_pid":11,"t":"2026-01-01T00:00:06.000Z"})" "\n");
  auto t = TimeToFirstReplica(path_);
  ASSERT_TRUE(t);
  EXPECT_DOUBLE_EQ(*t, 3.5);
}

TEST_F(TranscriptFile, NoneWhenOnlyTheOriginalServerCalled) {
  Write(
      R"({"type":"system_started","llm_pid":7,"t":"2026-01-01T00:00:00.100Z"})" "\n"
      R"({"type":"task_sent","t":"2026-01-01T00:00:01.000Z"})" "\n"
      R"({"type":"model_call","peer_pid":7,"t":"2026-01-01T00:00:02.000Z"})" "\n");
  EXPECT_FALSE(TimeToFirstReplica(path_));
  EXPECT_FALSE(TimeToFirstReplica(path_ + ".missing"));
}

}  // namespace
}  // namespace redline
