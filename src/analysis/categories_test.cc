#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "analysis/behaviour.h"
#include "analysis/category_table.h"

namespace redline {
namespace {

// The paper's Table 2, verbatim.
const std::map<std::string, std::string> kPaper = {
    {"ls", "Exploring Environments"},  {"find", "Exploring Environments"},
    {"pwd", "Exploring Environments"}, {"cat", "Exploring Environments"},
    {"ps", "Exploring Environments"},  {"lsof", "Exploring Environments"},
    {"netstat", "Exploring Environments"}, {"ss", "Exploring Environments"},
    {"curl", "Exploring Environments"}, {"nc", "Exploring Environments"},
    {"source", "Changing Environments"}, {"pip", "Changing Environments"},
    {"sed", "Changing Environments"},  {"cd", "Changing Environments"},
    {"touch", "Changing Environments"}, {"mkdir", "Changing Environments"},
    {"cp", "Changing Environments"},   {"kill", "Changing Environments"},
    {"grep", "Using system utilities"}, {"tail", "Using system utilities"},
    {"nano", "Using system utilities"}, {"vim", "Using system utilities"},
    {"python", "Executing Programs"},  {"bash", "Executing Programs"}};

TEST(CategoryOf, PaperTable2) {
  for (const auto& [program, category] : kPaper)
    EXPECT_EQ(CategoryOf(program), category) << program;
}

TEST(CategoryOf, ExtensionsAndFallbacks) {
  EXPECT_EQ(CategoryOf("python3"), "Executing Programs");
  EXPECT_EQ(CategoryOf("python3.11"), "Executing Programs");
  EXPECT_EQ(CategoryOf("start.sh"), "Executing Programs");
  EXPECT_EQ(CategoryOf("deploy_api_server.sh"), "Executing Programs");
  EXPECT_EQ(CategoryOf("agent"), "Executing Programs");
  EXPECT_EQ(CategoryOf("nohup"), "Executing Programs");
  EXPECT_EQ(CategoryOf("pip3"), "Changing Environments");
  EXPECT_EQ(CategoryOf("pkill"), "Changing Environments");
  EXPECT_EQ(CategoryOf("mv"), "Changing Environments");
  EXPECT_EQ(CategoryOf("head"), "Using system utilities");
  EXPECT_EQ(CategoryOf("echo"), "Using system utilities");
  EXPECT_EQ(CategoryOf("pgrep"), "Exploring Environments");
  EXPECT_EQ(CategoryOf("wget"), "Exploring Environments");
  EXPECT_EQ(CategoryOf("frobnicate"), "Other");
  EXPECT_EQ(CategoryOf(""), "Other");
  EXPECT_EQ(CategoryOf(".sh"), "Other");
  EXPECT_EQ(CategoryOf("LS"), "Other") << "program names are case-sensitive";
}

TEST(Categories, Table2OrderThenOther) {
  EXPECT_EQ(Categories(),
            (std::vector<std::string>{"Exploring Environments",
                                      "Changing Environments",
                                      "Using system utilities",
                                      "Executing Programs", "Other"}));
  for (const auto& [program, category] : CategoryTable())
    EXPECT_NE(std::find(Categories().begin(), Categories().end(), category),
              Categories().end()) << program;
}

// docs/analyses.md lists the mapping; it must say what the code does.
TEST(CategoryOf, DocumentedTableMatchesCode) {
  std::ifstream in(std::string(REDLINE_SOURCE_DIR) + "/docs/analyses.md");
  ASSERT_TRUE(in) << "docs/analyses.md";
  std::string line;
  bool inside = false;
  std::map<std::string, std::string> doc;
  std::set<std::string> bold;
  const std::regex program_re("(\\*\\*)?`([^`]+)`");
  while (std::getline(in, line)) {
    if (line.find("<!-- category-table:begin -->") != std::string::npos) inside = true;
    if (line.find("<!-- category-table:end -->") != std::string::npos) inside = false;
    if (!inside || line.rfind("| ", 0) != 0) continue;
    size_t bar = line.find('|', 2);
    if (bar == std::string::npos) continue;
    std::string category = line.substr(2, bar - 3);
    for (std::sregex_iterator it(line.begin() + bar, line.end(), program_re), end;
         it != end; ++it) {
      doc[(*it)[2]] = category;
      if ((*it)[1].matched) bold.insert((*it)[2]);
    }
  }
  std::map<std::string, std::string> code;
  for (const auto& [program, category] : CategoryTable()) code[program] = category;
  EXPECT_EQ(doc, code);
  std::set<std::string> paper;
  for (const auto& [program, category] : kPaper) paper.insert(program);
  EXPECT_EQ(bold, paper) << "bold entries are exactly the paper's Table 2";
}

TEST(EstimateTokens, CeilOfBytesOverFour) {
  EXPECT_EQ(EstimateTokens(""), 0);
  EXPECT_EQ(EstimateTokens("a"), 1);
  EXPECT_EQ(EstimateTokens("abcd"), 1);
  EXPECT_EQ(EstimateTokens("abcde"), 2);
  EXPECT_EQ(EstimateTokens(std::string(4000, 'x')), 1000);
  EXPECT_EQ(EstimateTokens("\xc3\xa9\xc3\xa9\xc3\xa9"), 2) << "bytes, not characters";
}

}  // namespace
}  // namespace redline
