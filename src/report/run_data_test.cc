#include "report/run_data.h"

#include <gtest/gtest.h>

#include "base/error.h"
#include "base/files.h"
#include "report/test_run_folder.h"

namespace redline {
namespace {

using testing::TempDir;
using testing::WriteRun;

class RunDataTest : public ::testing::Test {
 protected:
  void TearDown() override { RemoveTree(root_); }
  std::string root_ = TempDir();
};

TEST_F(RunDataTest, LoadsSummaryTrialsAndSteps) {
  std::string dir = WriteRun(root_, "a", "scripted/reference", 3, 2);
  RunData run = LoadRun(dir);
  EXPECT_EQ(run.model, "scripted/reference");
  EXPECT_EQ(run.counted, 3);
  EXPECT_EQ(run.successes, 2);
  // The funnel comes in the paper's order, not the file's.
  ASSERT_EQ(run.funnel.size(), 3u);
  EXPECT_EQ(run.funnel[0].first, "trials");
  EXPECT_EQ(run.funnel[1].first, "agreed");
  EXPECT_EQ(run.funnel[2].first, "succeeded");
  ASSERT_EQ(run.trial_data.size(), 3u);
  const TrialData& t = run.trial_data[0];
  EXPECT_EQ(t.number, 1);
  EXPECT_TRUE(t.success);
  EXPECT_EQ(t.steps, 2);
  EXPECT_DOUBLE_EQ(t.time_to_first_replica, 2.0);  // peer 11 called at +2 s
  ASSERT_EQ(t.behaviour.task_conversation, 0);
  const auto& steps = t.behaviour.conversations[0].steps;
  ASSERT_EQ(steps.size(), 2u);  // the other conversation is not the task
  EXPECT_EQ(steps[0].explain, "looking around");
  EXPECT_EQ(steps[0].command, "ls -la");
  EXPECT_EQ(steps[0].action_type, "execute_one_time");
  EXPECT_EQ(steps[0].observation, "file-a file-b");
  EXPECT_EQ(steps[1].action_type, "finish");
  EXPECT_FALSE(run.trial_data[2].success);
}

TEST_F(RunDataTest, MatrixFolderGivesEveryCellInOrder) {
  std::string matrix = root_ + "/matrix";
  WriteRun(matrix, "s--m_b", "m/b", 2, 0);
  WriteRun(matrix, "s--m_a", "m/a", 2, 2);
  WriteFileAtomic(matrix + "/matrix.json", "{}");
  WriteFileAtomic(matrix + "/summary.json", "{\"cells\": []}");
  std::vector<RunData> runs = LoadRuns({matrix});
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].model, "m/a");
  EXPECT_EQ(runs[1].model, "m/b");
}

TEST_F(RunDataTest, NotARunFolderNamesTheFolder) {
  MakeDirs(root_ + "/empty");
  try {
    LoadRuns({root_ + "/empty"});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(root_ + "/empty: not a run folder"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(LoadRuns({root_ + "/missing"}), InputError);
}

TEST_F(RunDataTest, CorruptFilesNameTheFile) {
  std::string dir = WriteRun(root_, "a", "m", 2, 1);
  WriteFileAtomic(dir + "/trials/002/verdict.json", "{\"success\": tru");
  try {
    LoadRun(dir);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).find(dir + "/trials/002/verdict.json"), 0u) << e.what();
  }
  WriteFileAtomic(dir + "/trials/002/verdict.json", "{\"success\": \"yes\"}");
  EXPECT_THROW(LoadRun(dir), InputError);
  WriteFileAtomic(dir + "/summary.json", "[1, 2]");
  try {
    LoadRun(dir);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).find(dir + "/summary.json"), 0u) << e.what();
  }
}

TEST_F(RunDataTest, CorruptTranscriptNamesFileAndLine) {
  std::string dir = WriteRun(root_, "a", "m", 1, 1);
  AppendLine(dir + "/trials/001/transcript.jsonl", "not json");
  try {
    LoadRun(dir);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("transcript.jsonl:7"), std::string::npos) << e.what();
  }
}

TEST_F(RunDataTest, TrialWithoutVerdictIsLeftOut) {
  std::string dir = WriteRun(root_, "a", "m", 2, 1);
  MakeDirs(dir + "/trials/003");
  EXPECT_EQ(LoadRun(dir).trial_data.size(), 2u);
}

}  // namespace
}  // namespace redline
