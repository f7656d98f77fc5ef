#include "report/report_tables.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "report/rates.h"

namespace redline {
namespace {

RunData Run(const std::string& model, const std::string& scenario, int counted,
            int successes) {
  RunData r;
  r.dir = "/runs/" + model;
  r.model = model;
  r.scenario = scenario;
  r.trials = r.counted = counted;
  r.successes = successes;
  r.success_rate = static_cast<double>(successes) / counted;
  r.ci_low = 0.25;
  r.ci_high = 0.75;
  r.reasons = {{"replicated", successes}, {"no_replica", counted - successes}, {"refused", 0}};
  return r;
}

std::vector<RunData> ThreeRuns() {
  return {Run("m/a", "s1", 10, 9), Run("m/b", "s1", 10, 1), Run("m/c", "s2", 4, 2)};
}

TEST(ReportTables, PairsOnlyDifferentModelsOnOneScenario) {
  ReportTables t = BuildTables(ThreeRuns());
  ASSERT_EQ(t.runs.size(), 3u);
  ASSERT_EQ(t.pairs.size(), 1u);
  EXPECT_EQ(t.pairs[0].model_a, "m/a");
  EXPECT_EQ(t.pairs[0].model_b, "m/b");
  EXPECT_DOUBLE_EQ(t.pairs[0].fisher_p, FisherExactTwoSided(9, 1, 1, 9));
  EXPECT_LT(t.pairs[0].fisher_p, 0.01);
  EXPECT_EQ(t.runs[0].reasons.count("refused"), 0u);  // zero counts dropped
}

TEST(ReportTables, ReasonsTextMostFrequentFirst) {
  EXPECT_EQ(ReasonsText({{"a", 1}, {"b", 3}, {"c", 0}}), "b=3; a=1");
}

TEST(ReportTables, JsonHasEveryRunAndPair) {
  auto j = nlohmann::json::parse(TablesJson(BuildTables(ThreeRuns())));
  ASSERT_EQ(j["runs"].size(), 3u);
  EXPECT_EQ(j["runs"][1]["model"], "m/b");
  EXPECT_EQ(j["runs"][1]["successes"], 1);
  EXPECT_EQ(j["runs"][1]["ci95"][0], 0.25);
  EXPECT_EQ(j["runs"][1]["reasons"]["no_replica"], 9);
  ASSERT_EQ(j["pairs"].size(), 1u);
  EXPECT_EQ(j["pairs"][0]["counted_b"], 10);
}

TEST(ReportTables, CsvQuotesAndCountsRows) {
  std::vector<RunData> runs = ThreeRuns();
  runs[0].model = "m,\"quoted\"";
  runs[1].mode = "relay";
  runs[1].replicas = {true, 1, 3, 4, 2, 1, {{0, 9}, {1, 1}}};
  std::string csv = TablesCsv(BuildTables(runs));
  EXPECT_EQ(csv.rfind("model,scenario,trials,counted,successes,rate,ci_low,ci_high,errors,reasons,"
                      "mode,peak_replicas,excess_replicas,trials_with_excess,independence,dir,funnel,"
                      "allocation_funnel\n", 0), 0u);
  // Replica counts a summary did not record stay blank, not 0.
  EXPECT_NE(csv.find("\"m,\"\"quoted\"\"\",s1,10,10,9,0.9000,0.2500,0.7500,0,replicated=9; no_replica=1,,,,,,/runs/m/a,,\n"),
            std::string::npos) << csv;
  EXPECT_NE(csv.find(",relay,3,2,1,,/runs/m/b,,\n"), std::string::npos) << csv;
  auto j = nlohmann::json::parse(TablesJson(BuildTables(runs)));
  EXPECT_EQ(j["runs"][1]["replicas"]["generation_reached"]["1"], 1);
  EXPECT_TRUE(j["runs"][0]["replicas"].is_null());
  EXPECT_NE(csv.find("\nscenario,model_a,a_successes,model_b,b_successes,fisher_p\n"),
            std::string::npos);
}

// The funnels summary.json holds reach every text form, in their order.
TEST(ReportTables, EveryFormCarriesTheFunnels) {
  std::vector<RunData> runs = ThreeRuns();
  runs[0].funnel = {{"trials", 10}, {"agreed", 10}, {"knew_how", 9}, {"succeeded", 9}};
  runs[0].allocation_funnel = {{"trials", 10}, {"resource_acquired", 7},
                               {"files_transferred", 5}, {"succeeded", 4}};
  ReportTables t = BuildTables(runs);
  std::string csv = TablesCsv(t);
  EXPECT_NE(csv.find(",/runs/m/a,trials=10 > agreed=10 > knew_how=9 > succeeded=9,"
                     "trials=10 > resource_acquired=7 > files_transferred=5 > "
                     "succeeded=4\n"),
            std::string::npos)
      << csv;
  std::string md = TablesMarkdown(t);
  EXPECT_NE(md.find("| /runs/m/a | trials=10 > agreed=10 > knew_how=9 > succeeded=9 | "
                    "trials=10 > resource_acquired=7"),
            std::string::npos)
      << md;
  auto j = nlohmann::json::parse(TablesJson(t));
  EXPECT_EQ(j["runs"][0]["funnel"]["knew_how"], 9);
  EXPECT_EQ(j["runs"][0]["allocation_funnel"]["files_transferred"], 5);
  EXPECT_TRUE(j["runs"][1]["funnel"].is_null());
  EXPECT_TRUE(j["runs"][1]["allocation_funnel"].is_null());
  // The stages in their order in the JSON text too.
  std::string text = TablesJson(t);
  EXPECT_LT(text.find("\"resource_acquired\""), text.find("\"files_transferred\""));
}

// 20/20 against 0/20: p is about 1.5e-11, which "%.4f" would print as 0.0000.
std::vector<RunData> AllAgainstNone() {
  return {Run("m/a", "s1", 20, 20), Run("m/b", "s1", 20, 0)};
}

TEST(ReportTables, TinyPValuesPrintAsLessThanNotZero) {
  ReportTables t = BuildTables(AllAgainstNone());
  std::string md = TablesMarkdown(t);
  EXPECT_NE(md.find("| s1 | m/a | 20/20 | m/b | 0/20 | < 0.0001 |"), std::string::npos) << md;
  EXPECT_NE(TablesCsv(t).find(",0/20,< 0.0001\n"), std::string::npos);
  // The JSON keeps the number itself.
  auto j = nlohmann::json::parse(TablesJson(t));
  EXPECT_GT(j["pairs"][0]["fisher_p"].get<double>(), 0);
  EXPECT_LT(j["pairs"][0]["fisher_p"].get<double>(), 1e-10);
}

TEST(ReportTables, MarkdownEscapesPipes) {
  std::vector<RunData> runs = ThreeRuns();
  runs[2].model = "m|c";
  std::string md = TablesMarkdown(BuildTables(runs));
  EXPECT_NE(md.find("| m/b | s1 | 10 | 10 | 1 | 0.1000 |"), std::string::npos) << md;
  EXPECT_NE(md.find("m\\|c"), std::string::npos);
  EXPECT_NE(md.find("| s1 | m/a | 9/10 | m/b | 1/10 |"), std::string::npos) << md;
}

}  // namespace
}  // namespace redline
