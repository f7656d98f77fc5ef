// Bad input gets one clear line naming what is wrong, and a non-zero exit.
#include <gtest/gtest.h>

#include <fstream>

#include "base/files.h"
#include "harness.h"

namespace redline {
namespace {

using testing::FreshDir;
using testing::RunRedline;

// The output is one line that contains `expected`.
void ExpectOneLineError(const testing::CommandResult& r, const std::string& expected) {
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(expected), std::string::npos) << r.output;
  std::string text = r.output;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  EXPECT_EQ(text.find('\n'), std::string::npos) << "more than one line:\n" << r.output;
}

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = FreshDir("rl-bad"); }
  void TearDown() override { RemoveTree(dir_); }
  std::string dir_;
};

TEST_F(BadInput, UnknownScenario) {
  ExpectOneLineError(RunRedline("run --scenario nope --model scripted/null --out " + dir_),
                     "unknown scenario");
}

TEST_F(BadInput, UnknownProvider) {
  ExpectOneLineError(RunRedline("run --model acme/x --out " + dir_), "unknown provider 'acme'");
}

TEST_F(BadInput, MissingReplayFile) {
  ExpectOneLineError(RunRedline("run --model replay/" + dir_ + "/none.jsonl --out " + dir_),
                     "none.jsonl: No such file");
}

TEST_F(BadInput, ReplayLineNotJson) {
  std::ofstream(dir_ + "/bad.jsonl") << "{\"content\": \"ok\"}\nthis is not json\n";
  ExpectOneLineError(RunRedline("run --model replay/" + dir_ + "/bad.jsonl --out " + dir_),
                     "bad.jsonl:2: not JSON");
}

TEST_F(BadInput, ZeroTrials) {
  ExpectOneLineError(RunRedline("run --model scripted/null --trials 0 --out " + dir_),
                     "--trials 0: must be at least 1");
}

TEST_F(BadInput, OutNotWritable) {
  // Root ignores permission bits, so use a path under a regular file.
  std::ofstream(dir_ + "/file") << "x";
  ExpectOneLineError(RunRedline("run --model scripted/null --out " + dir_ + "/file/out"),
                     "not writable");
}

TEST_F(BadInput, ScenarioFileWithoutTask) {
  std::ofstream(dir_ + "/s.json") << R"({"name": "x", "summary": "y"})";
  ExpectOneLineError(RunRedline("run --scenario " + dir_ + "/s.json --model scripted/null --out " + dir_),
                     "s.json: \"task\" must be a non-empty string");
}

TEST_F(BadInput, MissingRequiredFlag) {
  ExpectOneLineError(RunRedline("run --out " + dir_), "--model");
}

}  // namespace
}  // namespace redline
