#include "report/scenario_sections.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/files.h"
#include "report/html_escape.h"
#include "report/html_report.h"
#include "report/test_run_folder.h"
#include "report/trial_view_json.h"

namespace redline {
namespace {

using testing::TempDir;
using testing::WriteRun;

class ScenarioSectionsTest : public ::testing::Test {
 protected:
  void TearDown() override { RemoveTree(root_); }
  // A run on `scenario` with its own Wilson interval, so each number in the
  // page can be traced to the run it came from.
  RunData Run(const std::string& model, const std::string& scenario, int counted,
              int successes, double low, double high) {
    std::string dir = WriteRun(root_, model + "-" + scenario, model, counted, successes);
    auto summary = nlohmann::json::parse(ReadFile(dir + "/summary.json"));
    summary["scenario"] = scenario;
    summary["ci95"] = {low, high};
    WriteFileAtomic(dir + "/summary.json", summary.dump());
    return LoadRun(dir);
  }
  std::string root_ = TempDir();
};

size_t Count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

TEST_F(ScenarioSectionsTest, GroupsRunsByScenarioWithIntervals) {
  std::vector<RunData> runs = {Run("a", "self-replication", 4, 3, 0.301, 0.954),
                               Run("b", "chain-replication", 2, 0, 0.0, 0.658),
                               Run("c", "self-replication", 5, 1, 0.036, 0.624)};
  std::string html = ScenarioSection(runs);
  EXPECT_EQ(Count(html, "<table class=\"scenario\""), 2u);
  size_t self = html.find("data-scenario=\"self-replication\"");
  size_t chain = html.find("data-scenario=\"chain-replication\"");
  ASSERT_NE(self, std::string::npos);
  ASSERT_NE(chain, std::string::npos);
  EXPECT_LT(self, chain) << "scenarios in the order they first appear";
  // Run c sits in the self-replication table, before the chain table.
  size_t c = html.find("<td data-field=\"model\">c</td>");
  EXPECT_GT(c, self);
  EXPECT_LT(c, chain);
  EXPECT_NE(html.find("<td class=\"num\" data-field=\"ci\">3.6% – 62.4%</td>", c),
            std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\" data-field=\"successes\">0/2</td>", chain),
            std::string::npos);
}

TEST_F(ScenarioSectionsTest, MatrixGridOnlyForAMatrixOrSeveralOfBoth) {
  std::vector<RunData> one_model = {Run("a", "s1", 2, 1, 0.1, 0.9), Run("a", "s2", 2, 2, 0.3, 1)};
  EXPECT_EQ(MatrixSection(one_model), "");
  one_model[0].matrix = root_;
  EXPECT_NE(MatrixSection(one_model).find("id=\"matrix\""), std::string::npos);

  std::vector<RunData> runs = {Run("a", "s1", 4, 2, 0.15, 0.85), Run("b", "s2", 2, 0, 0, 0.658)};
  std::string html = MatrixSection(runs);
  EXPECT_NE(html.find("<td class=\"num\" data-model=\"a\" data-scenario=\"s1\">50.0% "
                      "(15.0% – 85.0%) 2/4</td>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("data-model=\"a\" data-scenario=\"s2\">—</td>"), std::string::npos)
      << "a pair not run";
}

TEST_F(ScenarioSectionsTest, ReplicasAndGenerationHistogram) {
  RunData with = Run("a", "chain-replication", 3, 1, 0.06, 0.79);
  with.replicas = {true, 2, 4, 5, 3, 2, {{0, 1}, {1, 1}, {2, 1}}};
  RunData without = Run("<b>", "s", 1, 0, 0, 0.79);
  std::string html = ReplicasSection({with, without});
  EXPECT_NE(html.find("data-field=\"peak_max\">4</td>"), std::string::npos);
  EXPECT_NE(html.find("data-field=\"excess_total\">3</td>"), std::string::npos);
  EXPECT_NE(html.find("data-field=\"trials_with_excess\">2</td>"), std::string::npos);
  EXPECT_NE(html.find("generation 2"), std::string::npos);
  EXPECT_NE(html.find("Not recorded"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt; · s"), std::string::npos) << "model names escaped";
  EXPECT_EQ(html.find("<b> · s"), std::string::npos);

  EXPECT_EQ(ReplicaCountsText({}), "") << "unknown counts print nothing";
  EXPECT_EQ(ReplicaCountsText({3, 2, 1, 1}), "peak 3 · final 2 / needed 1 · excess 1");
}

TEST_F(ScenarioSectionsTest, PageShowsModeReplicasTreeDataAndFinishMessage) {
  RunData run = Run("m", "chain-replication", 1, 1, 0.2, 1);
  run.mode = "native";
  run.trial_data[0].replicas = {2, 1, 1, 0};
  run.trial_data[0].generation_reached = 1;
  LineageNode child{1, 8001, 20, 21, true, false, {}};
  run.trial_data[0].lineage = {LineageNode{0, 8000, 10, 11, false, false, {child}}};
  std::string html = RenderHtmlReport({run});
  EXPECT_NE(html.find("data-mode=\"native\">" + HtmlEscape(ModeExplanation("native"))),
            std::string::npos);
  EXPECT_EQ(html.find(HtmlEscape(ModeExplanation("relay"))), std::string::npos)
      << "no relay sentence for a native run";
  EXPECT_NE(html.find("data-field=\"replicas\">peak 2 · final 1 / needed 1 · excess 0</td>"),
            std::string::npos);
  EXPECT_NE(html.find("data-field=\"generation\">1</td>"), std::string::npos);

  auto trial = nlohmann::json::parse(TrialViewJson({run}))["trials"][0];
  EXPECT_EQ(trial["mode"], "native");
  EXPECT_EQ(trial["generation_reached"], 1);
  EXPECT_EQ(trial["replicas"]["peak"], 2);
  EXPECT_EQ(trial["lineage"][0]["children"][0]["agent_port"], 8001);
  EXPECT_EQ(trial["lineage"][0]["alive_after_kill"], false);
  // The fixture's finish says {"message": "ok"}: the message, not the JSON.
  const auto& finish = trial["steps"].back();
  EXPECT_EQ(finish["action"], "finish");
  EXPECT_EQ(finish["finish_message"], "ok");
  EXPECT_EQ(finish["action_text"], "");
  // Unknown counts are null, not a made-up 0.
  RunData old = Run("o", "s", 1, 0, 0, 0.79);
  auto old_trial = nlohmann::json::parse(TrialViewJson({old}))["trials"][0];
  EXPECT_TRUE(old_trial["replicas"]["peak"].is_null());
  EXPECT_TRUE(old_trial["generation_reached"].is_null());
}

}  // namespace
}  // namespace redline
