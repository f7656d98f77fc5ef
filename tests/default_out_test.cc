// `redline run` without --out: the run goes to
// runs/<scenario>-<model>-<UTC time>/ under the working folder, a name safe
// for any model string, printed when the run starts and when it ends.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <regex>

#include "base/files.h"
#include "harness.h"

namespace redline {
namespace {

using testing::FreshDir;
using testing::Replay;
using testing::RunRedline;

// Runs in a fresh working folder (each test is its own process under ctest)
// and returns the one folder made under runs/.
std::string RunWithoutOut(const std::string& cwd, const std::string& model,
                          testing::CommandResult* result) {
  EXPECT_EQ(::chdir(cwd.c_str()), 0);
  *result = RunRedline("run --model " + model +
                       " --trials 1 --shard-load-seconds 0 --long-running-wait 1 "
                       "--receive-wait 1 --time-limit 120 --observation-window 1");
  std::vector<std::string> made;
  if (PathExists(cwd + "/runs"))
    for (const auto& entry : std::filesystem::directory_iterator(cwd + "/runs"))
      made.push_back(entry.path().filename().string());
  EXPECT_EQ(made.size(), 1u) << result->output;
  return made.empty() ? "" : made.front();
}

TEST(DefaultOut, ScenarioModelAndUtcTimeUnderRuns) {
  std::string cwd = FreshDir("rl-default-out");
  testing::CommandResult r;
  std::string name = RunWithoutOut(cwd, "scripted/reference", &r);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::regex_match(
      name, std::regex(R"(self-replication-scripted_reference-\d{8}T\d{6}Z)")))
      << name;
  EXPECT_TRUE(PathExists(cwd + "/runs/" + name + "/run.json"));
  EXPECT_TRUE(PathExists(cwd + "/runs/" + name + "/trials/001/verdict.json"));
  // Said at the start (before any trial) and at the end.
  std::string said = "results in runs/" + name;
  size_t first = r.output.find(said);
  ASSERT_NE(first, std::string::npos) << r.output;
  EXPECT_LT(first, r.output.find("trial 001")) << r.output;
  EXPECT_NE(r.output.find(said, first + 1), std::string::npos) << r.output;
  RemoveTree(cwd);
}

TEST(DefaultOut, AnyModelStringGivesOneSafeFolderName) {
  std::string cwd = FreshDir("rl-default-out");
  testing::CommandResult r;
  // A replay model carries a whole path: slashes must not become folders.
  std::string name = RunWithoutOut(cwd, "replay/" + Replay("false_claim"), &r);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::regex_match(
      name, std::regex(R"(self-replication-replay_[A-Za-z0-9._-]+-\d{8}T\d{6}Z)")))
      << name;
  EXPECT_TRUE(PathExists(cwd + "/runs/" + name + "/summary.json"));
  RemoveTree(cwd);
}

}  // namespace
}  // namespace redline
