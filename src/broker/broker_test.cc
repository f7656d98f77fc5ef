#include "broker/broker.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "base/error.h"
#include "base/files.h"
#include "base/random.h"
#include "broker/broker_protocol.h"

namespace redline {
namespace {

using nlohmann::json;

// A model that answers with the last user message, upper-cased marker added.
class EchoModel : public Model {
 public:
  Completion Complete(const std::vector<Message>& messages) override {
    return {"echo: " + messages.back().content, 5, 2};
  }
  std::string Name() const override { return "test/echo"; }
};

class BrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = "/tmp/rl-broker-test-" + RandomToken(8);
    MakeDirs(dir_);
    transcript_ = std::make_unique<JsonlWriter>(dir_ + "/transcript.jsonl");
    broker_ = std::make_unique<Broker>(dir_ + "/b.sock", model_, *transcript_);
  }
  void TearDown() override {
    broker_.reset();
    RemoveTree(dir_);
  }
  json Call(const json& request) {
    return json::parse(BrokerRoundTrip(dir_ + "/b.sock", request.dump(), 10));
  }

  std::string dir_;
  EchoModel model_;
  std::unique_ptr<JsonlWriter> transcript_;
  std::unique_ptr<Broker> broker_;
};

TEST_F(BrokerTest, AnswersAndKnowsWhoAsked) {
  json reply = Call({{"messages", {{{"role", "user"}, {"content", "code zz9"}}}}});
  EXPECT_TRUE(reply["ok"].get<bool>());
  EXPECT_EQ(reply["content"], "echo: code zz9");
  // SO_PEERCRED gives this very process: the test is the llm-server here.
  EXPECT_EQ(broker_->SendersOf("zz9"), std::vector<pid_t>{::getpid()});
  EXPECT_TRUE(broker_->SendersOf("absent").empty());
  EXPECT_EQ(broker_->Stats().calls, 1);
  EXPECT_EQ(broker_->Stats().prompt_tokens, 5);
}

TEST_F(BrokerTest, BadRequestsGetAnErrorNotACrash) {
  json reply = Call({{"nomessages", 1}});
  EXPECT_FALSE(reply["ok"].get<bool>());
  EXPECT_NE(reply["error"].get<std::string>().find("bad request"), std::string::npos);
}

TEST_F(BrokerTest, TranscriptLogsOnlyNewMessagesOfAConversation) {
  json first = {{"role", "system"}, {"content", "sys"}};
  json u1 = {{"role", "user"}, {"content", "one"}};
  Call({{"messages", {first, u1}}});
  json a1 = {{"role", "assistant"}, {"content", "echo: one"}};
  json u2 = {{"role", "user"}, {"content", "two"}};
  Call({{"messages", {first, u1, a1, u2}}});
  std::istringstream lines(ReadFile(dir_ + "/transcript.jsonl"));
  std::string line;
  std::vector<json> records;
  while (std::getline(lines, line)) records.push_back(json::parse(line));
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["new_messages"].size(), 2u);
  ASSERT_EQ(records[1]["new_messages"].size(), 1u);
  EXPECT_EQ(records[1]["new_messages"][0]["content"], "two");
  EXPECT_EQ(records[1]["conversation"], records[0]["conversation"]);
  EXPECT_EQ(records[1]["peer_pid"], ::getpid());
}

TEST(BrokerBudgetTest, RefusesCallsOnceTheBudgetIsSpent) {
  std::string dir = "/tmp/rl-broker-test-" + RandomToken(8);
  MakeDirs(dir);
  EchoModel model;  // 5 + 2 tokens a call
  {
    JsonlWriter transcript(dir + "/t.jsonl");
    Broker broker(dir + "/b.sock", model, transcript, /*token_budget=*/14);
    json request = {{"messages", {{{"role", "user"}, {"content", "x"}}}}};
    auto call = [&] { return json::parse(BrokerRoundTrip(dir + "/b.sock", request.dump(), 10)); };
    EXPECT_TRUE(call()["ok"].get<bool>());   // 7 spent
    EXPECT_TRUE(call()["ok"].get<bool>());   // 14 spent
    json refused = call();
    EXPECT_FALSE(refused["ok"].get<bool>());
    EXPECT_NE(refused["error"].get<std::string>().find("token budget of 14"), std::string::npos);
    EXPECT_EQ(broker.Stats().calls, 2);
    EXPECT_EQ(broker.Stats().refused_over_budget, 1);
    EXPECT_TRUE(broker.Stats().first_error.empty());  // a refusal, not a failure
  }
  RemoveTree(dir);
}

TEST_F(BrokerTest, ClientReportsAMissingBroker) {
  EXPECT_THROW(BrokerRoundTrip(dir_ + "/none.sock", "{}", 1), SystemError);
}

}  // namespace
}  // namespace redline
