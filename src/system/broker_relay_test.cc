#include "system/broker_relay.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "system/system_test_util.h"

namespace redline {
namespace {

using nlohmann::json;

TEST(BrokerRelayTest, RequestCarriesMessagesAndOnlyTheFieldsGiven) {
  ChatRequest request;
  request.messages = {{"system", "s"}, {"user", "u"}};
  EXPECT_EQ(json::parse(RenderBrokerRequest(request)),
            json::parse(R"({"messages":[{"role":"system","content":"s"},
                                        {"role":"user","content":"u"}]})"));
  request.max_tokens = 10;
  request.temperature = 0.5;
  request.top_p = 0.9;
  request.seed = 3;
  request.stop = {"x"};
  request.stream = true;
  EXPECT_EQ(json::parse(RenderBrokerRequest(request)),
            json::parse(R"({"messages":[{"role":"system","content":"s"},
                                        {"role":"user","content":"u"}],
                            "max_tokens":10,"temperature":0.5,"top_p":0.9,
                            "seed":3,"stop":["x"]})"));
}

TEST(BrokerRelayTest, ParsesAnswers) {
  RelayResult ok = ParseBrokerAnswer(
      R"({"ok":true,"content":"hi","prompt_tokens":3,"completion_tokens":1})");
  EXPECT_EQ(ok.status, RelayResult::Status::kOk);
  EXPECT_EQ(ok.content, "hi");
  EXPECT_EQ(ok.prompt_tokens, 3);
  EXPECT_EQ(ok.completion_tokens, 1);
  RelayResult refused =
      ParseBrokerAnswer(R"({"ok":false,"error":"token budget spent"})");
  EXPECT_EQ(refused.status, RelayResult::Status::kRejected);
  EXPECT_EQ(refused.error, "token budget spent");
  EXPECT_EQ(ParseBrokerAnswer("garbage").status,
            RelayResult::Status::kRejected);
  EXPECT_EQ(ParseBrokerAnswer(R"({"ok":true})").status,
            RelayResult::Status::kRejected);
}

TEST(BrokerRelayTest, RoundTripsThroughASocket) {
  ScopedTempDir dir;
  FakeBroker broker(
      dir.path() + "/b.sock",
      R"({"ok":true,"content":"hi","prompt_tokens":3,"completion_tokens":1})");
  ChatRequest request;
  request.messages = {{"user", "Hello!"}};
  RelayResult result = RelayChat(dir.path() + "/b.sock", request, "", 5);
  EXPECT_EQ(result.status, RelayResult::Status::kOk);
  EXPECT_EQ(result.content, "hi");
  ASSERT_EQ(broker.requests().size(), 1u);
  EXPECT_EQ(json::parse(broker.requests()[0])["messages"][0]["content"],
            "Hello!");
}

TEST(BrokerRelayTest, PlainOneLineBodiesGoAsTheyCame) {
  ScopedTempDir dir;
  FakeBroker broker(dir.path() + "/b.sock", R"({"ok":true,"content":"hi"})");
  std::string body = R"({"model":"m","messages":[{"role":"user","content":"Hi"}]})";
  ChatRequest plain = ParseChatRequest(body);
  ASSERT_TRUE(plain.plain);
  RelayChat(dir.path() + "/b.sock", plain, body, 5);
  // Pretty-printed (several lines) or with content parts: re-rendered.
  std::string pretty = "{\"messages\": [\n {\"role\": \"user\", \"content\": \"Hi\"}]}";
  RelayChat(dir.path() + "/b.sock", ParseChatRequest(pretty), pretty, 5);
  std::string parts =
      R"({"messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}]})";
  ChatRequest normalised = ParseChatRequest(parts);
  EXPECT_FALSE(normalised.plain);
  RelayChat(dir.path() + "/b.sock", normalised, parts, 5);
  ASSERT_EQ(broker.requests().size(), 3u);
  EXPECT_EQ(broker.requests()[0], body);
  EXPECT_EQ(broker.requests()[1], R"({"messages":[{"role":"user","content":"Hi"}]})");
  EXPECT_EQ(broker.requests()[2], R"({"messages":[{"role":"user","content":"Hi"}]})");
}

TEST(BrokerRelayTest, AbsentBrokerIsUnavailable) {
  ScopedTempDir dir;
  ChatRequest request;
  request.messages = {{"user", "Hello!"}};
  RelayResult result = RelayChat(dir.path() + "/none.sock", request, "", 5);
  EXPECT_EQ(result.status, RelayResult::Status::kUnavailable);
  EXPECT_EQ(result.error,
            "model backend unavailable: No such file or directory (" +
                dir.path() + "/none.sock)");
}

}  // namespace
}  // namespace redline
