#include "agent/chat_service.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

namespace redline {
namespace {

using Json = nlohmann::json;

TEST(ParseChatRequestTest, DefaultsAndOverrides) {
  std::string error;
  auto plain = ParseChatRequest(R"({"message": "hi"})", &error);
  ASSERT_TRUE(plain.has_value()) << error;
  EXPECT_EQ(plain->message, "hi");
  EXPECT_EQ(plain->options.max_steps, 60);
  EXPECT_EQ(plain->options.timings.command_timeout_seconds, 60);
  EXPECT_EQ(plain->options.timings.long_running_wait_seconds, 3);
  EXPECT_EQ(plain->options.timings.receive_wait_seconds, 2);

  auto custom = ParseChatRequest(
      R"({"message": "hi", "max_steps": 5, "command_timeout_seconds": 1.5,
          "long_running_wait_seconds": 0, "receive_wait_seconds": 10})",
      &error);
  ASSERT_TRUE(custom.has_value()) << error;
  EXPECT_EQ(custom->options.max_steps, 5);
  EXPECT_EQ(custom->options.timings.command_timeout_seconds, 1.5);
  EXPECT_EQ(custom->options.timings.long_running_wait_seconds, 0);
  EXPECT_EQ(custom->options.timings.receive_wait_seconds, 10);
}

TEST(ParseChatRequestTest, RejectsBadBodies) {
  std::string error;
  EXPECT_FALSE(ParseChatRequest("not json", &error));
  EXPECT_EQ(error, "the body must be a JSON object");
  EXPECT_FALSE(ParseChatRequest(R"({"msg": "hi"})", &error));
  EXPECT_EQ(error, "\"message\" (a non-empty string) is required");
  EXPECT_FALSE(ParseChatRequest(R"({"message": 3})", &error));
  EXPECT_FALSE(
      ParseChatRequest(R"({"message": "hi", "max_steps": 0})", &error));
  EXPECT_EQ(error, "\"max_steps\" must be an integer from 1 to 10000");
  EXPECT_FALSE(
      ParseChatRequest(R"({"message": "hi", "max_steps": 2.5})", &error));
  EXPECT_FALSE(ParseChatRequest(
      R"({"message": "hi", "command_timeout_seconds": "60"})", &error));
  EXPECT_EQ(error,
            "\"command_timeout_seconds\" must be a number from 0 to 86400");
}

// An LLM that finishes at once, or holds its answer until released.
class GateLlm : public LlmClient {
 public:
  LlmReply Complete(const std::vector<ChatMessage>& messages) override {
    std::unique_lock<std::mutex> lock(mu_);
    entered_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
    return {
        true,
        "Action:\n```json\n{\"action\": \"finish\", \"action_input\": "
        "{\"message\": \"echo: " +
            messages[1].content.substr(6, messages[1].content.find('\n') - 6) +
            "\"}}\n```",
        ""};
  }
  void Close() {
    std::lock_guard<std::mutex> l(mu_);
    open_ = false;
  }
  void Open() {
    std::lock_guard<std::mutex> l(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void WaitEntered() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return entered_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = true;
  bool entered_ = false;
};

class NoEnvironment : public Environment {
 public:
  ActionResult Execute(const std::string&, const std::string&, CommandType,
                       const Timings&) override {
    return {"unused"};
  }
  ActionResult Receive(const std::string&, const Timings&) override {
    return {"unused"};
  }
};

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

class ChatServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = FreePort();
    std::string error;
    ASSERT_TRUE(service_.Bind(port_, &error)) << error;
    thread_ = std::thread([this] { service_.Serve(); });
  }
  void TearDown() override {
    llm_.Open();
    service_.Stop();
    thread_.join();
  }
  httplib::Client Client() {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(10, 0);
    return client;
  }

  GateLlm llm_;
  NoEnvironment env_;
  Agent agent_{llm_, env_, "SYSTEM", nullptr};
  ChatService service_{agent_};
  int port_ = 0;
  std::thread thread_;
};

TEST_F(ChatServiceTest, HealthChatAndNotFound) {
  httplib::Client client = Client();
  auto health = client.Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(Json::parse(health->body), Json({{"status", "ok"}}));

  auto chat = client.Post("/chat", R"({"message": "Hello, replica!"})",
                          "application/json");
  ASSERT_TRUE(chat);
  EXPECT_EQ(chat->status, 200);
  EXPECT_EQ(Json::parse(chat->body), Json({{"reply", "echo: Hello, replica!"},
                                           {"outcome", "finished"},
                                           {"steps", 1},
                                           {"format_errors", 0}}));

  auto bad = client.Post("/chat", "{}", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(Json::parse(bad->body)["error"],
            "\"message\" (a non-empty string) is required");

  auto missing = client.Get("/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  auto get_chat = client.Get("/chat");
  ASSERT_TRUE(get_chat);
  EXPECT_EQ(get_chat->status, 404);
}

TEST_F(ChatServiceTest, SecondConcurrentChatIsBusy) {
  llm_.Close();
  auto first = std::async(std::launch::async, [this] {
    return Client().Post("/chat", R"({"message": "one"})", "application/json");
  });
  llm_.WaitEntered();
  auto second =
      Client().Post("/chat", R"({"message": "two"})", "application/json");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 409);
  EXPECT_EQ(Json::parse(second->body), Json({{"error", "busy"}}));
  llm_.Open();
  auto done = first.get();
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, 200);
  EXPECT_EQ(Json::parse(done->body)["reply"], "echo: one");
}

TEST_F(ChatServiceTest, PortInUseIsRefused) {
  // No SO_REUSEPORT: a second agent must not share the port.
  GateLlm llm;
  NoEnvironment env;
  Agent agent(llm, env, "SYSTEM", nullptr);
  ChatService second(agent);
  std::string error;
  EXPECT_FALSE(second.Bind(port_, &error));
  EXPECT_EQ(error, "Address already in use");
}

}  // namespace
}  // namespace redline
