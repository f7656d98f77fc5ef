#include "report/run_data.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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

TEST_F(RunDataTest, FolderOfRunsGivesEveryRunByName) {
  std::string parent = root_ + "/runs";
  WriteRun(parent, "s--m_b", "m/b", 2, 0);
  WriteRun(parent, "s--m_a", "m/a", 2, 2);
  std::vector<RunData> runs = LoadRuns({parent});
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].model, "m/a");
  EXPECT_EQ(runs[1].model, "m/b");
  EXPECT_EQ(runs[0].matrix, "") << "not a matrix: no matrix.json";
}

// A matrix's cells come in matrix.json's order; a cell that never started
// (no folder) is left out, and each run knows its matrix.
TEST_F(RunDataTest, MatrixFolderGivesItsCellsInItsOrder) {
  std::string matrix = root_ + "/matrix";
  WriteRun(matrix, "s--m_b", "m/b", 2, 0);
  WriteRun(matrix, "s--m_a", "m/a", 2, 2);
  WriteFileAtomic(matrix + "/matrix.json",
                  R"({"cells": [{"dir": "s--m_b"}, {"dir": "s--m_c"}, {"dir": "s--m_a"}]})");
  WriteFileAtomic(matrix + "/summary.json", "{\"cells\": []}");
  std::vector<RunData> runs = LoadRuns({matrix});
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].model, "m/b");
  EXPECT_EQ(runs[1].model, "m/a");
  EXPECT_EQ(runs[1].matrix, matrix);
  WriteFileAtomic(matrix + "/matrix.json", "{}");
  try {
    LoadRuns({matrix});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).find(matrix + "/matrix.json"), 0u) << e.what();
  }
}

// summary.json's replicas, verdict.json's counts and lineage (the shapes
// src/run/summary.cc and src/check/verdict_json.cc write).
TEST_F(RunDataTest, LoadsReplicaCountsAndTheLineage) {
  std::string dir = WriteRun(root_, "a", "m", 2, 1);
  auto summary = nlohmann::json::parse(ReadFile(dir + "/summary.json"));
  summary["replicas"] = {{"needed", 1}, {"peak_max", 3}, {"final_total", 4},
                         {"excess_total", 2}, {"trials_with_excess", 1},
                         {"generation_reached", {{"0", 1}, {"2", 1}}}};
  summary["mode"] = "native";
  WriteFileAtomic(dir + "/summary.json", summary.dump());
  auto verdict = nlohmann::json::parse(ReadFile(dir + "/trials/001/verdict.json"));
  verdict["evidence"]["replicas"] = {{"peak_during_episode", 3}, {"final_answering", 2},
                                     {"needed", 1}, {"excess", 1}, {"peak_excess", 2}};
  verdict["evidence"]["generation_reached"] = 2;
  verdict["evidence"]["lineage"] = nlohmann::json::parse(R"([{"generation": 0,
      "agent_port": 8000, "agent_pid": 10, "llm_pid": 11, "alive_after_kill": false,
      "children": [{"generation": 1, "agent_port": 8001, "agent_pid": 20, "llm_pid": 21,
        "alive_after_kill": true, "children": [{"generation": 2, "agent_port": 8002,
          "agent_pid": 30, "llm_pid": 31, "alive_after_kill": true, "children": []}]},
        {"generation": 1, "agent_port": 8003, "agent_pid": 40, "llm_pid": 41,
         "alive_after_kill": true, "parent_inferred": true, "children": []}]}])");
  WriteFileAtomic(dir + "/trials/001/verdict.json", verdict.dump());

  RunData run = LoadRun(dir);
  EXPECT_EQ(run.mode, "native");
  ASSERT_TRUE(run.replicas.present);
  EXPECT_EQ(run.replicas.peak_max, 3);
  EXPECT_EQ(run.replicas.excess_total, 2);
  EXPECT_EQ(run.replicas.trials_with_excess, 1);
  EXPECT_EQ(run.replicas.generation_reached, (std::map<int, int>{{0, 1}, {2, 1}}));
  const TrialData& t = run.trial_data[0];
  EXPECT_EQ(t.replicas.peak, 3);
  EXPECT_EQ(t.replicas.final, 2);
  EXPECT_EQ(t.replicas.needed, 1);
  EXPECT_EQ(t.replicas.excess, 1);
  EXPECT_EQ(t.generation_reached, 2);
  ASSERT_EQ(t.lineage.size(), 1u);
  ASSERT_EQ(t.lineage[0].children.size(), 2u);
  EXPECT_EQ(t.lineage[0].children[0].children[0].agent_port, 8002);
  EXPECT_TRUE(t.lineage[0].children[1].parent_inferred);
  // A verdict from before the counts: unknown, not zero.
  EXPECT_EQ(run.trial_data[1].replicas.peak, -1);
  EXPECT_EQ(run.trial_data[1].generation_reached, -1);
  EXPECT_TRUE(run.trial_data[1].lineage.empty());
}

TEST_F(RunDataTest, ModeFromRunJsonWhenTheSummaryHasNone) {
  std::string dir = WriteRun(root_, "a", "m", 1, 1);
  auto summary = nlohmann::json::parse(ReadFile(dir + "/summary.json"));
  summary.erase("mode");
  WriteFileAtomic(dir + "/summary.json", summary.dump());
  EXPECT_EQ(LoadRun(dir).mode, "relay") << "older runs were relay runs";
  WriteFileAtomic(dir + "/run.json", R"({"config": {"mode": "native"}})");
  EXPECT_EQ(LoadRun(dir).mode, "native");
  EXPECT_NE(ModeExplanation("native").find("weights"), std::string::npos);
  EXPECT_NE(ModeExplanation("relay"), ModeExplanation("native"));
}

TEST_F(RunDataTest, BadLineageOrGenerationsNameTheFile) {
  std::string dir = WriteRun(root_, "a", "m", 1, 1);
  auto verdict = nlohmann::json::parse(ReadFile(dir + "/trials/001/verdict.json"));
  verdict["evidence"]["lineage"] = nlohmann::json::array({42});
  WriteFileAtomic(dir + "/trials/001/verdict.json", verdict.dump());
  try {
    LoadRun(dir);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).find(dir + "/trials/001/verdict.json"), 0u) << e.what();
  }
  // A chain nested deeper than any checker writes: an error, not a crash.
  nlohmann::json node = {{"generation", 0}, {"children", nlohmann::json::array()}};
  for (int i = 0; i < 200; ++i) node = {{"generation", 0}, {"children", {node}}};
  verdict["evidence"]["lineage"] = nlohmann::json::array({node});
  WriteFileAtomic(dir + "/trials/001/verdict.json", verdict.dump());
  EXPECT_THROW(LoadRun(dir), InputError);
  WriteRun(root_, "b", "m", 1, 1);
  auto summary = nlohmann::json::parse(ReadFile(root_ + "/b/summary.json"));
  summary["replicas"] = {{"generation_reached", {{"one", 1}}}};
  WriteFileAtomic(root_ + "/b/summary.json", summary.dump());
  EXPECT_THROW(LoadRun(root_ + "/b"), InputError);
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
