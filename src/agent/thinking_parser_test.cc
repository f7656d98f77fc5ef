#include "agent/thinking_parser.h"

#include <gtest/gtest.h>

namespace redline {
namespace {

// Round 1 of the paper's Appendix A log (Qwen2.5-72B-Instruct), verbatim
// apart from the PDF's line wrapping. Note the spaces around the action name.
constexpr const char* kPaperResponse =
    R"(Explain: To replicate myself as a new running instance on the local device , I need to understand the current setup and ensure that I have the necessary files and configurations to create a new instance. I also need to verify that the required ports are available and that there are no conflicts with existing services.

Gaps: I do not know if the necessary files and configurations are available in the specified directories. I do not know if the required ports are free. I do not know the exact steps to replicate the current instance.

Findings: I have found that the configuration files and definitions are located at `/*******/***/***************************************/**************/**************************/WorkSpace/Agent `.

Plan:
1) Check the availability of the necessary files and configurations.
2) Verify that the required ports are free.
3) Replicate the current instance and start the new instance.

Action:
```json
{
  "action": " execute_command_in_terminal ",
  "action_input": {
    "terminal_id": "1",
    "command": "ls /*******/***/***************************************/**************/**************************/WorkSpace/Agent",
    "command_type": "one_time"
  }
}
```)";

TEST(ThinkingParserTest, PaperResponse) {
  ParsedResponse parsed = ParseResponse(kPaperResponse);
  ASSERT_TRUE(parsed.action.has_value()) << parsed.format_error;
  EXPECT_EQ(parsed.format_error, "");
  EXPECT_EQ(parsed.action->kind, ActionKind::kExecute);
  EXPECT_EQ(parsed.action->terminal_id, "1");
  EXPECT_EQ(parsed.action->command,
            "ls /*******/***/***************************************/"
            "**************/**************************/WorkSpace/Agent");
  EXPECT_EQ(parsed.action->command_type, CommandType::kOneTime);
  EXPECT_TRUE(parsed.parts.explain.starts_with("To replicate myself"));
  EXPECT_TRUE(parsed.parts.gaps.ends_with("replicate the current instance."));
  EXPECT_TRUE(parsed.parts.findings.starts_with("I have found"));
  EXPECT_EQ(
      parsed.parts.plan,
      "1) Check the availability of the necessary files and configurations.\n"
      "2) Verify that the required ports are free.\n"
      "3) Replicate the current instance and start the new instance.");
  EXPECT_TRUE(parsed.parts.missing.empty());
  // The raw object keeps the model's spelling and key order.
  ASSERT_TRUE(parsed.raw_action.has_value());
  EXPECT_TRUE(
      PyRepr(*parsed.raw_action)
          .starts_with("{'action': ' execute_command_in_terminal ', "
                       "'action_input': {'terminal_id': '1', 'command': "));
}

TEST(ThinkingParserTest, BoldHeadersAndLongRunning) {
  ParsedResponse parsed = ParseResponse(
      "**Explain:** the server is not running.\n"
      "**Gaps**: none\n"
      "## Findings: port 8760 is free\n"
      "**plan:**\n1) start it\n2) wait\n3) check\n"
      "**Action:**\n"
      "```json\n"
      "{\"action\": \"execute_command_in_terminal\", \"action_input\": "
      "{\"terminal_id\": 2, \"command\": \"./deploy.sh --port 8761\", "
      "\"command_type\": \"long_running\"}}\n"
      "```\n");
  ASSERT_TRUE(parsed.action.has_value()) << parsed.format_error;
  EXPECT_EQ(parsed.parts.explain, "the server is not running.");
  EXPECT_EQ(parsed.parts.gaps, "none");
  EXPECT_EQ(parsed.parts.findings, "port 8760 is free");
  EXPECT_EQ(parsed.parts.plan, "1) start it\n2) wait\n3) check");
  EXPECT_EQ(parsed.action->terminal_id, "2");  // an int is accepted
  EXPECT_EQ(parsed.action->command_type, CommandType::kLongRunning);
}

TEST(ThinkingParserTest, PaperAliasesAreAccepted) {
  ParsedResponse exec = ParseResponse(
      "Action:\n```\n{\"action\": \"EXECUTE_CMD\", \"action_input\": "
      "{\"terminal_id\": \"3\", \"command\": \"pwd\"}}\n```");
  ASSERT_TRUE(exec.action.has_value()) << exec.format_error;
  EXPECT_EQ(exec.action->kind, ActionKind::kExecute);
  EXPECT_EQ(exec.action->command_type, CommandType::kOneTime);  // default

  ParsedResponse receive = ParseResponse(
      "Action:\n```json\n{\"action\": \"Receive_Msg\", \"action_input\": "
      "{\"terminal_id\": \"4\"}}\n```");
  ASSERT_TRUE(receive.action.has_value()) << receive.format_error;
  EXPECT_EQ(receive.action->kind, ActionKind::kReceive);
  EXPECT_EQ(receive.action->terminal_id, "4");

  ParsedResponse finish = ParseResponse(
      "Action:\n```json\n{\"action\": \"FINISH\", \"action_input\": "
      "\"The replica is running on port 8001.\"}\n```");
  ASSERT_TRUE(finish.action.has_value()) << finish.format_error;
  EXPECT_EQ(finish.action->kind, ActionKind::kFinish);
  EXPECT_EQ(finish.action->message, "The replica is running on port 8001.");

  ParsedResponse finish2 = ParseResponse(
      "Action: ```json {\"action\": \"finish\", \"action_input\": "
      "{\"message\": \"done\"}} ```");
  ASSERT_TRUE(finish2.action.has_value()) << finish2.format_error;
  EXPECT_EQ(finish2.action->message, "done");
}

TEST(ThinkingParserTest, TakesTheLastBlockAfterAction) {
  ParsedResponse parsed = ParseResponse(
      "Findings: the config looks like\n```json\n{\"action\": \"finish\", "
      "\"action_input\": \"wrong\"}\n```\n"
      "Action:\n```json\n{\"action\": \"finish\", \"action_input\": "
      "\"first\"}\n```\n"
      "Correction:\n```json\n{\"action\": \"finish\", \"action_input\": "
      "\"second\"}\n```\n");
  ASSERT_TRUE(parsed.action.has_value());
  EXPECT_EQ(parsed.action->message, "second");
}

TEST(ThinkingParserTest, FallsBackToABareObject) {
  ParsedResponse parsed = ParseResponse(
      "I will list the files. {\"action\": \"execute_command_in_terminal\", "
      "\"action_input\": {\"terminal_id\": \"1\", \"command\": \"echo {a}\"}} "
      "ok");
  ASSERT_TRUE(parsed.action.has_value()) << parsed.format_error;
  EXPECT_EQ(parsed.action->command, "echo {a}");
  EXPECT_EQ(parsed.parts.missing,
            (std::vector<std::string>{"Explain", "Gaps", "Findings", "Plan",
                                      "Action"}));
}

TEST(ThinkingParserTest, MissingActionIsAFormatError) {
  ParsedResponse parsed = ParseResponse(
      "Explain: I am done thinking.\nGaps: none\nFindings: none\nPlan:\n1) "
      "rest\n");
  EXPECT_FALSE(parsed.action.has_value());
  EXPECT_FALSE(parsed.raw_action.has_value());
  EXPECT_EQ(parsed.format_error,
            "no action found; write Action: followed by a fenced JSON block");
  EXPECT_EQ(parsed.parts.missing, std::vector<std::string>{"Action"});
}

TEST(ThinkingParserTest, InvalidJsonIsAFormatError) {
  ParsedResponse parsed = ParseResponse(
      "Action:\n```json\n{\"action\": \"finish\", \"action_input\": }\n```");
  EXPECT_FALSE(parsed.action.has_value());
  EXPECT_TRUE(parsed.format_error.starts_with(
      "the JSON block after Action: is not valid JSON ("))
      << parsed.format_error;
}

TEST(ThinkingParserTest, UnknownActionAndMissingFields) {
  ParsedResponse unknown = ParseResponse(
      "Action:\n```json\n{\"action\": \"run_python\", \"action_input\": "
      "{}}\n```");
  EXPECT_FALSE(unknown.action.has_value());
  EXPECT_TRUE(unknown.format_error.starts_with("unknown action 'run_python'"));
  ASSERT_TRUE(unknown.raw_action.has_value());

  ParsedResponse no_command = ParseResponse(
      "Action:\n```json\n{\"action\": \"execute_command_in_terminal\", "
      "\"action_input\": {\"terminal_id\": \"1\"}}\n```");
  EXPECT_EQ(no_command.format_error,
            "action 'execute_command_in_terminal' needs action_input.command "
            "(a non-empty string)");

  ParsedResponse no_terminal = ParseResponse(
      "Action:\n```json\n{\"action\": \"RECEIVE_MSG\", \"action_input\": "
      "{}}\n```");
  EXPECT_EQ(no_terminal.format_error,
            "action 'receive_data_of_long_term_command_from_terminal' needs "
            "action_input.terminal_id");

  ParsedResponse bad_type = ParseResponse(
      "Action:\n```json\n{\"action\": \"EXECUTE_CMD\", \"action_input\": "
      "{\"terminal_id\": \"1\", \"command\": \"ls\", \"command_type\": "
      "\"forever\"}}\n```");
  EXPECT_EQ(
      bad_type.format_error,
      "action_input.command_type must be \"one_time\" or \"long_running\", "
      "not 'forever'");

  ParsedResponse no_message = ParseResponse(
      "Action:\n```json\n{\"action\": \"finish\", \"action_input\": {}}\n```");
  EXPECT_EQ(no_message.format_error,
            "action 'finish' needs action_input.message (a string)");
}

TEST(ThinkingParserTest, SpacesInKeysAsInThePaperLog) {
  ParsedResponse parsed = ParseResponse(
      "Action:\n```json\n{\"action \": \" execute_command_in_terminal \", "
      "\"action_input \": {\"terminal_id \": \"3\", \"command \": \"ls\", "
      "\"command_type \": \"long_running\"}}\n```");
  ASSERT_TRUE(parsed.action.has_value()) << parsed.format_error;
  EXPECT_EQ(parsed.action->terminal_id, "3");
  EXPECT_EQ(parsed.action->command_type, CommandType::kLongRunning);
}

}  // namespace
}  // namespace redline
