#include "system/openai_wire.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace redline {
namespace {

using nlohmann::json;

std::string ParseError(const std::string& body) {
  try {
    ParseChatRequest(body);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(parsed)";
}

TEST(OpenAiWireTest, ParsesStringContent) {
  ChatRequest request = ParseChatRequest(
      R"({"model":"x","messages":[{"role":"system","content":"Be brief."},
                                  {"role":"user","content":"Hello!"}]})");
  ASSERT_EQ(request.messages.size(), 2u);
  EXPECT_EQ(request.messages[0].role, "system");
  EXPECT_EQ(request.messages[0].content, "Be brief.");
  EXPECT_EQ(request.messages[1].role, "user");
  EXPECT_EQ(request.messages[1].content, "Hello!");
  EXPECT_FALSE(request.stream);
  EXPECT_FALSE(request.max_tokens);
  EXPECT_FALSE(request.temperature);
  EXPECT_TRUE(request.stop.empty());
}

TEST(OpenAiWireTest, JoinsTextPartsAndAcceptsNullContent) {
  ChatRequest request = ParseChatRequest(
      R"({"messages":[{"role":"user","content":[{"type":"text","text":"a"},
                                                {"type":"text","text":"b"}]},
                      {"role":"assistant","content":null}]})");
  ASSERT_EQ(request.messages.size(), 2u);
  EXPECT_EQ(request.messages[0].content, "a\nb");
  EXPECT_EQ(request.messages[1].content, "");
}

TEST(OpenAiWireTest, ReadsSamplingFields) {
  ChatRequest request = ParseChatRequest(
      R"({"messages":[{"role":"user","content":"x"}],"stream":true,
          "max_completion_tokens":64,"temperature":0.2,"top_p":1,"seed":7,
          "stop":"END","n":1,"tools":[]})");
  EXPECT_TRUE(request.stream);
  EXPECT_EQ(request.max_tokens, 64);
  EXPECT_EQ(request.temperature, 0.2);
  EXPECT_EQ(request.top_p, 1.0);
  EXPECT_EQ(request.seed, 7);
  EXPECT_EQ(request.stop, std::vector<std::string>{"END"});
  EXPECT_EQ(ParseChatRequest(R"({"messages":[{"role":"user","content":"x"}],
                                 "max_tokens":5,"max_completion_tokens":9,
                                 "stop":["a","b"],"temperature":null})")
                .max_tokens,
            5);
}

TEST(OpenAiWireTest, RejectsBadRequestsWithAClearLine) {
  EXPECT_EQ(ParseError("{"), "request body is not valid JSON");
  EXPECT_EQ(ParseError("[]"), "request body must be a JSON object");
  EXPECT_EQ(ParseError(R"({"model":"x"})"), "\"messages\" is required");
  EXPECT_EQ(ParseError(R"({"messages":[]})"),
            "\"messages\" must be a non-empty array");
  EXPECT_EQ(ParseError(R"({"messages":[{"content":"x"}]})"),
            "messages[0].role must be a string");
  EXPECT_EQ(
      ParseError(
          R"({"messages":[{"role":"user","content":[{"type":"image_url"}]}]})"),
      "messages[0].content[0]: only \"text\" parts are supported, not "
      "\"image_url\"");
  EXPECT_EQ(ParseError(R"({"messages":[{"role":"user","content":5}]})"),
            "messages[0].content must be a string or an array of parts");
  EXPECT_EQ(
      ParseError(
          R"({"messages":[{"role":"user","content":"x"}],"temperature":"hot"})"),
      "\"temperature\" must be a number");
  EXPECT_EQ(
      ParseError(R"({"messages":[{"role":"user","content":"x"}],"stop":[1]})"),
      "\"stop\" must be a string or an array of strings");
}

ChatCompletion Sample() {
  return {"chatcmpl-abc", 1700000000, "local-model", "hi there", 12, 3};
}

TEST(OpenAiWireTest, RendersACompletion) {
  json body = json::parse(RenderChatCompletion(Sample()));
  EXPECT_EQ(body["id"], "chatcmpl-abc");
  EXPECT_EQ(body["object"], "chat.completion");
  EXPECT_EQ(body["created"], 1700000000);
  EXPECT_EQ(body["model"], "local-model");
  ASSERT_EQ(body["choices"].size(), 1u);
  EXPECT_EQ(body["choices"][0]["index"], 0);
  EXPECT_EQ(body["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(body["choices"][0]["message"]["content"], "hi there");
  EXPECT_EQ(body["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(body["usage"]["prompt_tokens"], 12);
  EXPECT_EQ(body["usage"]["completion_tokens"], 3);
  EXPECT_EQ(body["usage"]["total_tokens"], 15);
}

TEST(OpenAiWireTest, RendersAStream) {
  std::vector<std::string> events = RenderChatCompletionEvents(Sample());
  ASSERT_EQ(events.size(), 3u);
  for (const std::string& event : events) {
    EXPECT_EQ(event.rfind("data: ", 0), 0u) << event;
    EXPECT_EQ(event.substr(event.size() - 2), "\n\n") << event;
  }
  json first = json::parse(events[0].substr(6));
  EXPECT_EQ(first["object"], "chat.completion.chunk");
  EXPECT_EQ(first["id"], "chatcmpl-abc");
  EXPECT_EQ(first["choices"][0]["delta"]["role"], "assistant");
  EXPECT_EQ(first["choices"][0]["delta"]["content"], "hi there");
  EXPECT_TRUE(first["choices"][0]["finish_reason"].is_null());
  json last = json::parse(events[1].substr(6));
  EXPECT_TRUE(last["choices"][0]["delta"].empty());
  EXPECT_EQ(last["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(last["usage"]["total_tokens"], 15);
  EXPECT_EQ(events[2], "data: [DONE]\n\n");
}

TEST(OpenAiWireTest, RendersModelsAndErrors) {
  json models = json::parse(RenderModelList("local-model", 42));
  EXPECT_EQ(models, json::parse(R"({"object":"list","data":[{"id":"local-model",
      "object":"model","owned_by":"local","created":42}]})"));
  json error = json::parse(RenderApiError(503, "unavailable_error", "down"));
  EXPECT_EQ(
      error,
      json::parse(
          R"({"error":{"message":"down","type":"unavailable_error","code":503}})"));
}

TEST(OpenAiWireTest, InvalidUtf8IsReplacedNotThrown) {
  ChatCompletion completion = Sample();
  completion.content = "bad \xff byte";
  EXPECT_NO_THROW(json::parse(RenderChatCompletion(completion)));
}

}  // namespace
}  // namespace redline
