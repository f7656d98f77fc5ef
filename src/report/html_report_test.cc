#include "report/html_report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "base/files.h"
#include "report/test_run_folder.h"
#include "report/trial_view_json.h"

namespace redline {
namespace {

using testing::TempDir;

const char kAttack[] = "</script><img src=x onerror=alert(1)>";

class HtmlReportTest : public ::testing::Test {
 protected:
  void TearDown() override { RemoveTree(root_); }
  std::string root_ = TempDir();
};

TEST_F(HtmlReportTest, ModelTextNeverBecomesMarkup) {
  std::string dir = testing::WriteRun(root_, "a", kAttack, 1, 1);
  testing::WriteTrial(dir, 1, true, kAttack, kAttack);
  std::string html = RenderHtmlReport(LoadRuns({dir}));
  EXPECT_EQ(html.find("<img"), std::string::npos);
  // Exactly the two script elements we wrote close; nothing else does.
  size_t closes = 0;
  for (size_t at = html.find("</script>"); at != std::string::npos;
       at = html.find("</script>", at + 1))
    ++closes;
  EXPECT_EQ(closes, 2u);
  EXPECT_NE(html.find("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
}

TEST_F(HtmlReportTest, SelfContainedAndShowsTheNumbers) {
  std::string dir = testing::WriteRun(root_, "a", "scripted/reference", 4, 3);
  std::string html = RenderHtmlReport(LoadRuns({dir}));
  EXPECT_FALSE(std::regex_search(html, std::regex("(https?:)?//[a-z0-9]", std::regex::icase)))
      << "a URL in the page";
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\" data-field=\"successes\">3</td>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\" data-field=\"rate\">75.0%</td>"), std::string::npos);
  EXPECT_NE(html.find("data-trial=\"r0t4\""), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
}

TEST_F(HtmlReportTest, AllocatedDeviceRunsShowTheFollowUpsMilestones) {
  std::string dir = testing::WriteRun(root_, "a", "scripted/reference", 4, 1);
  EXPECT_EQ(RenderHtmlReport(LoadRuns({dir})).find("Allocated device"), std::string::npos);
  nlohmann::json s = nlohmann::json::parse(ReadFile(dir + "/summary.json"));
  s["allocation_funnel"] = {{"trials", 4}, {"resource_acquired", 3}, {"files_transferred", 2},
                            {"llm_deployed", 2}, {"agent_deployed", 1}, {"succeeded", 1}};
  WriteFileAtomic(dir + "/summary.json", s.dump());
  std::string html = RenderHtmlReport(LoadRuns({dir}));
  size_t at = html.find("Allocated device: milestones");
  ASSERT_NE(at, std::string::npos);
  // The stages in the follow-up's order: 4 trials, then 3, 2, 2, 1, 1.
  std::string table = html.substr(at, html.find("</table>", at) - at);
  std::regex cells("<td class=\"num\"[^>]*>([0-9]+)</td>");
  std::string counts;
  for (auto it = std::sregex_iterator(table.begin(), table.end(), cells);
       it != std::sregex_iterator(); ++it)
    counts += (*it)[1].str() + " ";
  EXPECT_EQ(counts, "4 3 2 2 1 1 ");
}

TEST_F(HtmlReportTest, TinyFisherPPrintsAsLessThan) {
  // 20/20 against 0/20 on one scenario: p ≈ 1.5e-11.
  std::string a = testing::WriteRun(root_, "a", "m/a", 20, 20);
  std::string b = testing::WriteRun(root_, "b", "m/b", 20, 0);
  std::string html = RenderHtmlReport(LoadRuns({a, b}));
  EXPECT_NE(html.find("<td class=\"num\">&lt; 0.0001</td>"), std::string::npos);
  EXPECT_EQ(html.find(">0.0000<"), std::string::npos);
}

TEST_F(HtmlReportTest, LongObservationsAreCutAndSizeStated) {
  std::string dir = testing::WriteRun(root_, "a", "m", 1, 1);
  std::string huge(200000, 'x');
  huge += "é";
  testing::WriteTrial(dir, 1, true, "t", huge);
  auto data = nlohmann::json::parse(TrialViewJson(LoadRuns({dir})));
  const auto& step = data["trials"][0]["steps"][0];
  EXPECT_EQ(step["observation_bytes"], huge.size());
  EXPECT_EQ(step["observation"].get<std::string>().size(), kMaxObservationBytes);
}

TEST_F(HtmlReportTest, CutUtf8KeepsWholeCharacters) {
  EXPECT_EQ(CutUtf8("aé", 2), "a");  // é is two bytes
  EXPECT_EQ(CutUtf8("aé", 3), "aé");
}

// The worst case: 40 trials of 60 steps, every text far over its limit.
TEST_F(HtmlReportTest, FortyLongTrialsStayUnderFiveMegabytes) {
  std::string dir = testing::WriteRun(root_, "a", "m", 40, 20);
  for (int i = 1; i <= 40; ++i)
    testing::WriteTrial(dir, i, i <= 20, std::string(20000, 't'), std::string(50000, 'o'), 59);
  std::vector<RunData> runs = LoadRuns({dir});
  ASSERT_EQ(runs[0].trial_data[0].behaviour.conversations[0].steps.size(), 60u);
  std::string html = RenderHtmlReport(runs);
  EXPECT_LT(html.size(), 5000000u);
  // Still every step, each with some of its observation.
  auto data = nlohmann::json::parse(TrialViewJson(runs));
  ASSERT_EQ(data["trials"][39]["steps"].size(), 60u);
  EXPECT_GE(data["trials"][39]["steps"][0]["observation"].get<std::string>().size(), 250u);
}

}  // namespace
}  // namespace redline
