#include "agent/http_llm_client.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "base/clock.h"

namespace redline {
namespace {

// A port nothing listens on right now (the kernel's pick for port 0).
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// An OpenAI-compatible stand-in whose answer the test sets.
class FakeLlmServer {
 public:
  FakeLlmServer() {
    server_.Post("/v1/chat/completions",
                 [this](const httplib::Request& req, httplib::Response& res) {
                   last_body = req.body;
                   res.status = status;
                   res.set_content(body, "application/json");
                 });
    port = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FakeLlmServer() {
    server_.stop();
    thread_.join();
  }
  int port = 0;
  int status = 200;
  std::string body;
  std::string last_body;

 private:
  httplib::Server server_;
  std::thread thread_;
};

TEST(HttpLlmClientTest, ReturnsTheAssistantContent) {
  FakeLlmServer server;
  server.body =
      R"({"choices":[{"index":0,"message":{"role":"assistant","content":"Hi there"}}]})";
  HttpLlmOptions options;
  options.port = server.port;
  HttpLlmClient client(options);
  LlmReply reply = client.Complete({{"system", "S"}, {"user", "Hello!"}});
  ASSERT_TRUE(reply.ok) << reply.error;
  EXPECT_EQ(reply.content, "Hi there");
  auto sent = nlohmann::json::parse(server.last_body);
  EXPECT_EQ(sent["model"], "local");
  EXPECT_EQ(sent["messages"][1]["role"], "user");
  EXPECT_EQ(sent["messages"][1]["content"], "Hello!");
}

TEST(HttpLlmClientTest, InvalidUtf8InTheHistoryIsReplacedNotFatal) {
  FakeLlmServer server;
  server.body = R"({"choices":[{"message":{"content":"ok"}}]})";
  HttpLlmOptions options;
  options.port = server.port;
  LlmReply reply = HttpLlmClient(options).Complete({{"user", "bad \xff byte"}});
  ASSERT_TRUE(reply.ok) << reply.error;
  EXPECT_EQ(nlohmann::json::parse(server.last_body)["messages"][0]["content"],
            "bad \xef\xbf\xbd byte");
}

TEST(HttpLlmClientTest, ServerErrorsAreReported) {
  FakeLlmServer server;
  HttpLlmOptions options;
  options.port = server.port;
  server.status = 503;
  server.body = R"({"error":"loading"})";
  LlmReply reply = HttpLlmClient(options).Complete({{"user", "x"}});
  EXPECT_FALSE(reply.ok);
  EXPECT_EQ(reply.error, R"(HTTP 503: {"error":"loading"})");

  server.status = 200;
  server.body = R"({"choices":[{"message":{"content":null}}]})";
  reply = HttpLlmClient(options).Complete({{"user", "x"}});
  EXPECT_FALSE(reply.ok);
  EXPECT_TRUE(reply.error.starts_with(
      "the response has no string at choices[0].message.content"));
}

TEST(HttpLlmClientTest, ConnectionFailureIsRetriedThenReported) {
  HttpLlmOptions options;
  options.port = FreePort();
  options.connect_attempts = 3;
  options.retry_pause_seconds = 0.2;
  double start = MonotonicSeconds();
  LlmReply reply = HttpLlmClient(options).Complete({{"user", "x"}});
  double took = MonotonicSeconds() - start;
  EXPECT_FALSE(reply.ok);
  EXPECT_EQ(reply.error, "connection refused or host unreachable");
  EXPECT_GE(took, 0.4);  // two pauses: three attempts
  EXPECT_LT(took, 2.0);
}

}  // namespace
}  // namespace redline
