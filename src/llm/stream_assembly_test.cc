#include "llm/stream_assembly.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace redline {
namespace {

using nlohmann::json;

HttpResponse Stream(const std::string& body) { return {200, {}, body}; }

TEST(StreamAssembly, OllamaCallsAllAtIndexZeroAreToldApartById) {
  HttpAttempt a = OpenAiStreamToAnswer(Stream(
      R"(data: {"choices":[{"delta":{"tool_calls":[{"index":0,"id":"a","function":{"name":"finish","arguments":{"message":"x"}}}]}}]})"
      "\n\n"
      R"(data: {"choices":[{"delta":{"tool_calls":[{"index":0,"id":"b","function":{"name":"finish","arguments":{"message":"y"}}}]}}]})"
      "\n\ndata: [DONE]\n\n"));
  ASSERT_TRUE(a.answered);
  json calls = json::parse(a.response.body)["choices"][0]["message"]["tool_calls"];
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[1]["id"], "b");
  EXPECT_EQ(calls[1]["function"]["arguments"]["message"], "y");
}

TEST(StreamAssembly, ErrorEventsBecomeErrorAnswersWithTheirStatus) {
  HttpAttempt overflow = OpenAiStreamToAnswer(Stream(
      R"(data: {"error":{"message":"maximum context length is 10 tokens","type":"BadRequestError","code":400}})"
      "\n\n"));
  ASSERT_TRUE(overflow.answered);
  EXPECT_EQ(overflow.response.status, 400);
  HttpAttempt old_llama = OpenAiStreamToAnswer(
      Stream("event: error\ndata: {\"message\":\"slot unavailable\"}\n\n"));
  EXPECT_EQ(old_llama.response.status, 500);
  HttpAttempt overloaded = AnthropicStreamToAnswer(Stream(
      "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
      "\"message\":\"Overloaded\"}}\n\n"));
  EXPECT_EQ(overloaded.response.status, 529);
}

TEST(StreamAssembly, NoEndMarkIsACutAndGarbageIsABadGateway) {
  HttpAttempt cut = AnthropicStreamToAnswer(Stream(
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{}}\n\n"));
  EXPECT_FALSE(cut.answered);
  EXPECT_NE(cut.error.find("message_stop"), std::string::npos);
  HttpAttempt garbage = OpenAiStreamToAnswer(Stream("data: <html>\n\ndata: [DONE]\n\n"));
  EXPECT_EQ(garbage.response.status, 502);
}

}  // namespace
}  // namespace redline
