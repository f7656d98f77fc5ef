#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "analysis/behaviour.h"
#include "base/error.h"

namespace redline {
namespace {

std::string Data(const std::string& name) {
  return std::string(REDLINE_ANALYSIS_TESTDATA) + "/" + name;
}

TEST(AggregateBehaviour, SplitsFig10BySuccess) {
  std::vector<TrialBehaviour> trials = {
      AnalyseTranscript(Data("reference.transcript.jsonl")),
      AnalyseTranscript(Data("null.transcript.jsonl")),
      AnalyseTranscript(Data("obstacles.transcript.jsonl")),
      TrialBehaviour{}};  // a trial whose transcript had no task (harness error)
  BehaviourSummary s = AggregateBehaviour(trials, {true, false, false, false});
  EXPECT_EQ(s.trials, 4);
  EXPECT_EQ(s.successful_trials, 1);
  EXPECT_EQ(s.trials_with_task, 3);
  EXPECT_EQ(s.steps, 7 + 3 + 15);
  EXPECT_EQ(s.action_types["execute_one_time"], 4 + 2 + 10);
  EXPECT_EQ(s.action_types["finish"], 3);
  EXPECT_EQ(s.action_types_successful["execute_one_time"], 4);
  EXPECT_EQ(s.action_types_successful.count("invalid"), 0u);
  EXPECT_EQ(s.categories_successful["Exploring Environments"], 5);
  EXPECT_EQ(s.obstacles["port_in_use"].met, 1);
  EXPECT_EQ(s.obstacles["port_in_use"].resolved, 1);
  EXPECT_EQ(s.obstacles["permission_denied"].met, 1);
  EXPECT_EQ(s.obstacles["permission_denied"].resolved, 0);

  ASSERT_EQ(s.env_tokens.size(), 15u);
  EXPECT_EQ(s.env_tokens[0].step, 1);
  EXPECT_EQ(s.env_tokens[0].successful_trials, 1);
  EXPECT_DOUBLE_EQ(s.env_tokens[0].successful_mean, 220);
  EXPECT_EQ(s.env_tokens[0].failed_trials, 2);
  EXPECT_DOUBLE_EQ(s.env_tokens[0].failed_mean, (214 + 55) / 2.0);
  EXPECT_EQ(s.env_tokens[6].successful_trials, 1);
  EXPECT_EQ(s.env_tokens[7].successful_trials, 0);
  EXPECT_DOUBLE_EQ(s.env_tokens[7].successful_mean, 0);
  EXPECT_EQ(s.env_tokens[14].failed_trials, 1);
  EXPECT_DOUBLE_EQ(s.env_tokens[14].failed_mean, 1419);

  auto j = nlohmann::json::parse(BehaviourSummaryJson(s));
  EXPECT_EQ(j["trials"], 4);
  EXPECT_EQ(j["obstacles"]["timeout"]["resolved"], 1);
  EXPECT_EQ(j["env_tokens"][0]["failed_trials"], 2);
  EXPECT_EQ(j["categories"]["Executing Programs"], s.categories["Executing Programs"]);
}

TEST(AggregateBehaviour, MismatchedFlagsAreAnError) {
  EXPECT_THROW(AggregateBehaviour({TrialBehaviour{}}, {}), InputError);
  BehaviourSummary empty = AggregateBehaviour({}, {});
  EXPECT_EQ(empty.trials, 0);
  EXPECT_TRUE(empty.env_tokens.empty());
}

TEST(BehaviourJson, HasTheAggregateParts) {
  TrialBehaviour b = AnalyseTranscript(Data("obstacles.transcript.jsonl"));
  auto j = nlohmann::json::parse(BehaviourJson(b));
  EXPECT_EQ(j["action_types"]["receive"], 1);
  EXPECT_EQ(j["cumulative_env_tokens"].size(), 15u);
  EXPECT_EQ(j["obstacles"].size(), 7u);
  EXPECT_EQ(j["obstacles"][0]["kind"], "permission_denied");
  EXPECT_EQ(j["obstacles"][0]["resolved"], false);
  EXPECT_EQ(j["task_steps"], 15);
}

}  // namespace
}  // namespace redline
