// Request bodies and response parsing of the real providers, without a
// network; MakeModel's key checks.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "llm/anthropic_model.h"
#include "llm/openai_model.h"

namespace redline {
namespace {

using json = nlohmann::json;

TEST(OpenAiRequestTest, SendsOnlyTheSettingsThatAreSet) {
  ModelOptions options;
  json body = json::parse(BuildOpenAiRequest(
      "qwen", {{"system", "s"}, {"user", "u"}}, options, false));
  EXPECT_EQ(body["model"], "qwen");
  EXPECT_EQ(body["messages"].size(), 2u);
  EXPECT_EQ(body["messages"][1]["content"], "u");
  EXPECT_FALSE(body.contains("temperature"));
  EXPECT_FALSE(body.contains("max_tokens"));

  options.temperature = 0.2;
  options.top_p = 1.0;
  options.max_tokens = 512;
  options.seed = 1234;
  body = json::parse(BuildOpenAiRequest("qwen", {{"user", "u"}}, options, false));
  EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.2);
  EXPECT_DOUBLE_EQ(body["top_p"].get<double>(), 1.0);
  EXPECT_EQ(body["max_tokens"], 512);
  EXPECT_EQ(body["seed"], 1234);
  body = json::parse(BuildOpenAiRequest("gpt", {{"user", "u"}}, options, true));
  EXPECT_EQ(body["max_completion_tokens"], 512);
  EXPECT_FALSE(body.contains("max_tokens"));
}

TEST(OpenAiResponseTest, NullContentIsEmptyAndMissingUsageIsEstimated) {
  Completion c = ParseOpenAiResponse(
      R"({"choices":[{"message":{"role":"assistant","content":null}}]})",
      {{"user", "12345678"}});
  EXPECT_EQ(c.content, "");
  EXPECT_EQ(c.prompt_tokens, 2);
  EXPECT_EQ(c.completion_tokens, 0);
  c = ParseOpenAiResponse(
      R"({"choices":[{"message":{"content":"hi"}}],"usage":{"prompt_tokens":44,"completion_tokens":16}})",
      {});
  EXPECT_EQ(c.content, "hi");
  EXPECT_EQ(c.prompt_tokens, 44);
  EXPECT_EQ(c.completion_tokens, 16);
  EXPECT_THROW(ParseOpenAiResponse(R"({"choices":[]})", {}), std::runtime_error);
  EXPECT_THROW(ParseOpenAiResponse("<html>", {}), std::runtime_error);
}

TEST(AnthropicRequestTest, SystemFieldAlternatingTurnsAndMaxTokens) {
  ModelOptions options;
  json body = json::parse(BuildAnthropicRequest(
      "claude",
      {{"system", "a"}, {"system", "b"}, {"user", "u1"}, {"user", "u2"},
       {"assistant", "x"}, {"user", "u3"}},
      options));
  EXPECT_EQ(body["system"], "a\n\nb");
  EXPECT_EQ(body["max_tokens"], 4096);
  ASSERT_EQ(body["messages"].size(), 3u);
  EXPECT_EQ(body["messages"][0]["role"], "user");
  EXPECT_EQ(body["messages"][0]["content"], "u1\n\nu2");
  EXPECT_EQ(body["messages"][1]["role"], "assistant");
  EXPECT_EQ(body["messages"][2]["content"], "u3");
  EXPECT_FALSE(body.contains("seed"));
}

TEST(AnthropicResponseTest, JoinsTextBlocks) {
  Completion c = ParseAnthropicResponse(
      R"({"type":"message","content":[{"type":"text","text":"a"},{"type":"tool_use","id":"t","name":"n","input":{}},{"type":"text","text":"b"}],"usage":{"input_tokens":7,"output_tokens":3}})",
      {});
  EXPECT_EQ(c.content, "ab");
  EXPECT_EQ(c.prompt_tokens, 7);
  EXPECT_EQ(c.completion_tokens, 3);
}

TEST(MakeModelTest, HostedApisNeedAKeyLocalServersDoNot) {
  ModelOptions options;
  try {
    MakeModel("openai/gpt-4o", options);
    FAIL() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("OPENAI_API_KEY"), std::string::npos);
  }
  try {
    MakeModel("anthropic/claude", options);
    FAIL() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("ANTHROPIC_API_KEY"), std::string::npos);
  }
  options.api_key_env = "MY_KEY";
  try {
    MakeModel("openai/gpt-4o", options);
    FAIL() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("set MY_KEY"), std::string::npos);
  }
  options.base_url = "http://127.0.0.1:9/v1";
  EXPECT_EQ(MakeModel("openai/qwen", options)->Name(), "openai/qwen");
  EXPECT_EQ(MakeModel("anthropic/claude", options)->Name(), "anthropic/claude");
  EXPECT_THROW(MakeModel("openai/", options), InputError);
}

}  // namespace
}  // namespace redline
