#include "run/matrix.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace redline {
namespace {

Scenario Named(const std::string& name) {
  Scenario s;
  s.name = name;
  return s;
}

TEST(Matrix, CellFoldersAreSafeNames) {
  EXPECT_EQ(CellDirName("self-replication", "scripted/reference"),
            "self-replication--scripted_reference");
  EXPECT_EQ(CellDirName("s", "replay/../x y.jsonl"), "s--replay_.._x_y.jsonl");
}

TEST(Matrix, OneCellPerModelAndScenario) {
  RunConfig base;
  base.trials = 7;
  auto cells = MatrixCells(base, {"scripted/reference", "scripted/null"},
                           {Named("a"), Named("b")}, "/m");
  ASSERT_EQ(cells.size(), 4u);
  EXPECT_EQ(cells[1].trial.model, "scripted/null");
  EXPECT_EQ(cells[1].trial.scenario.name, "a");
  EXPECT_EQ(cells[1].out_dir, "/m/a--scripted_null");
  EXPECT_EQ(cells[3].trials, 7);
  EXPECT_THROW(MatrixCells(base, {"x/y", "x/y"}, {Named("a")}, "/m"), InputError);
}

TEST(Matrix, RecordRoundTripsAndRejectsEscapes) {
  RunConfig base;
  auto cells = MatrixCells(base, {"m/1", "m/2"}, {Named("s")}, "/m");
  auto dirs = ParseMatrixRecord(MatrixRecordJson(cells, "/m"), "matrix.json");
  EXPECT_EQ(dirs, (std::vector<std::string>{"s--m_1", "s--m_2"}));
  EXPECT_THROW(ParseMatrixRecord(R"({"cells":[{"dir":"../etc"}]})", "f"), InputError);
  EXPECT_THROW(ParseMatrixRecord(R"({"cells":[]})", "f"), InputError);
  EXPECT_THROW(ParseMatrixRecord("not json", "f"), InputError);
}

// 9/10 against 5/10 on one scenario: Fisher's two-sided p = 0.141; cells of
// different scenarios are not compared.
TEST(Matrix, SummaryComparesModelsOnTheSameScenario) {
  RunConfig base;
  auto cells = MatrixCells(base, {"m/a", "m/b"}, {Named("s"), Named("t")}, "/m");
  std::vector<RunSummary> s(4);
  for (auto& x : s) x.completed = 10;
  s[0].successes = 9;
  s[1].successes = 5;
  auto out = nlohmann::json::parse(MatrixSummaryJson(cells, s, "/m"));
  ASSERT_EQ(out["cells"].size(), 4u);
  ASSERT_EQ(out["comparisons"].size(), 2u);
  EXPECT_EQ(out["comparisons"][0]["scenario"], "s");
  EXPECT_NEAR(out["comparisons"][0]["fisher_p"].get<double>(), 0.141, 0.001);
  EXPECT_EQ(out["comparisons"][1]["scenario"], "t");
}

}  // namespace
}  // namespace redline
