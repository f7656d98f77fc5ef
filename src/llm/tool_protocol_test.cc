#include "llm/tool_protocol.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace redline {
namespace {

using nlohmann::json;

// The JSON in the fenced block after "Action:".
json ActionBlock(const std::string& text) {
  size_t start = text.find("```json\n");
  size_t end = text.rfind("\n```");
  EXPECT_NE(start, std::string::npos) << text;
  return json::parse(text.substr(start + 8, end - start - 8), nullptr, false);
}

TEST(ToolProtocol, ToolDefinitionsNameThePapersActions) {
  json tools = json::parse(OpenAiToolsJson());
  ASSERT_EQ(tools.size(), 3u);
  EXPECT_EQ(tools[0]["function"]["parameters"]["required"],
            json({"terminal_id", "command", "command_type"}));
  EXPECT_EQ(tools[1]["function"]["name"], "receive_data_of_long_term_command_from_terminal");
  EXPECT_EQ(json::parse(AnthropicToolsJson())[2]["input_schema"]["required"], json({"message"}));
}

TEST(ToolProtocol, ToolCallBecomesTheThinkingThenAnActionBlock) {
  ToolTurn t = ToolCallsToPaperText(
      "Explain: e\nPlan:\n1) a\n2) b\n3) c\n",
      {{"", "execute_command_in_terminal",
        R"({"terminal_id":"1","command":"ls","command_type":"one_time"})"}});
  EXPECT_EQ(t.text.rfind("Explain: e\nPlan:\n1) a\n2) b\n3) c\n\nAction:\n```json\n", 0), 0u)
      << t.text;
  EXPECT_EQ(ActionBlock(t.text),
            json({{"action", "execute_command_in_terminal"},
                  {"action_input",
                   {{"terminal_id", "1"}, {"command", "ls"}, {"command_type", "one_time"}}}}));
  EXPECT_FALSE(t.call.id.empty());  // made up when the server sent none
  EXPECT_TRUE(t.warnings.empty());
}

TEST(ToolProtocol, NoCallLeavesTheContentAsWritten) {
  std::string text = "Explain: x\nAction:\n```json\n{\"action\": \"finish\"}\n```";
  EXPECT_EQ(ToolCallsToPaperText(text, {}).text, text);
}

TEST(ToolProtocol, EmptyArgumentsBecomeAnEmptyObject) {
  ToolTurn t = ToolCallsToPaperText("", {{"id", "finish", ""}});
  EXPECT_EQ(ActionBlock(t.text)["action_input"], json::object());
}

TEST(ToolProtocol, HermesCallWithoutClosingTag) {
  ToolTurn t = ToolCallsToPaperText(
      "<tool_call>{\"name\": \"finish\", \"arguments\": {\"message\": \"m\"}}", {});
  EXPECT_EQ(ActionBlock(t.text)["action_input"]["message"], "m");
  EXPECT_EQ(t.text.find("<tool_call>"), std::string::npos);
}

TEST(ToolProtocol, BareJsonWithAnUnknownNameIsNotACall) {
  std::string text = "{\"name\": \"bash\", \"arguments\": {}}";
  EXPECT_EQ(ToolCallsToPaperText(text, {}).text, text);
}

TEST(ToolProtocol, SystemPromptGetsTheNote) {
  auto m = WithToolsNote({{"system", "S"}, {"user", "U"}});
  EXPECT_EQ(m[0].content.rfind("S\n\n", 0), 0u);
  EXPECT_NE(m[0].content.find("call exactly one tool"), std::string::npos);
  EXPECT_EQ(m[1].content, "U");
  EXPECT_THROW(CheckProtocol("json"), InputError);
  EXPECT_NO_THROW(CheckProtocol("tools"));
}

}  // namespace
}  // namespace redline
