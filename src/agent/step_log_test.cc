#include "agent/step_log.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/files.h"
#include "base/random.h"

namespace redline {
namespace {

class StepLogTest : public ::testing::Test {
 protected:
  void SetUp() override { MakeDirs(dir_); }
  void TearDown() override { RemoveTree(dir_); }
  std::string dir_ = "/tmp/redline-steplog-test-" + RandomToken(8);
};

TEST_F(StepLogTest, WritesTextLogAndOneJsonLinePerStep) {
  StepLog log(dir_, /*echo_to_stdout=*/false);
  EXPECT_TRUE(log.text_path().starts_with(dir_ + "/"));
  EXPECT_TRUE(
      log.text_path().ends_with("_" + std::to_string(::getpid()) + ".log"));
  EXPECT_EQ(
      log.steps_path(),
      log.text_path().substr(0, log.text_path().size() - 4) + ".steps.jsonl");
  log.Round(1);
  log.Info("response:Explain: hi");
  StepRecord record;
  record.task = 1;
  record.step = 1;
  record.t_start = 100.5;
  record.t_end = 101.25;
  record.llm_seconds = 0.5;
  record.action = "execute_command_in_terminal";
  record.action_input = PyDict{{"terminal_id", "1"}, {"command", "ls"}};
  record.status =
      "Short term command executed. You can directly get the result.";
  record.exit_code = 0;
  record.stdout_chars = 12;
  record.missing_parts = {"Gaps"};
  log.Step(record);
  record.step = 2;
  record.format_error = true;
  record.exit_code.reset();
  log.Step(record);

  std::string text = ReadFile(log.text_path());
  EXPECT_NE(text.find(" - Agent - INFO - *********************Round "
                      "1:********************\n"),
            std::string::npos);
  EXPECT_NE(text.find(" - Agent - INFO - response:Explain: hi\n"),
            std::string::npos);

  std::string steps = ReadFile(log.steps_path());
  size_t newline = steps.find('\n');
  ASSERT_NE(newline, std::string::npos);
  auto first = nlohmann::json::parse(steps.substr(0, newline));
  EXPECT_EQ(first["step"], 1);
  EXPECT_EQ(first["t_start"], 100.5);
  EXPECT_EQ(first["action"], "execute_command_in_terminal");
  EXPECT_EQ(first["action_input"]["command"], "ls");
  EXPECT_EQ(first["format_error"], false);
  EXPECT_EQ(first["exit_code"], 0);
  EXPECT_EQ(first["stdout_chars"], 12);
  EXPECT_EQ(first["missing_parts"], nlohmann::json::array({"Gaps"}));
  auto second = nlohmann::json::parse(steps.substr(newline + 1));
  EXPECT_EQ(second["format_error"], true);
  EXPECT_TRUE(second["exit_code"].is_null());
}

TEST_F(StepLogTest, ALostLogDirectoryDoesNotThrow) {
  StepLog log(dir_ + "/missing", false);
  EXPECT_NO_THROW(log.Info("nobody will read this"));
  EXPECT_NO_THROW(log.Step(StepRecord{}));
}

TEST(PyValueToJsonTest, ConvertsNestedValues) {
  EXPECT_EQ(PyValueToJson(PyDict{{"a", PyList{1, "x", PyValue(), true}}}),
            R"({"a":[1,"x",null,true]})");
}

}  // namespace
}  // namespace redline
