// The real providers end to end against a mock HTTP server on 127.0.0.1
// that replays canned answers and records what it was sent.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/clock.h"
#include "llm/llm_error.h"
#include "llm/model.h"

namespace redline {
namespace {

using json = nlohmann::json;

const char kOpenAiOk[] =
    R"({"id":"chatcmpl-1","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":44,"completion_tokens":16,"total_tokens":60}})";

struct Canned {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  double delay_seconds = 0;
};

struct Seen {
  std::string path;
  httplib::Headers headers;
  std::string body;
};

class MockServer {
 public:
  MockServer() {
    server_.Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
      Canned canned{500, R"({"error":{"message":"no canned answer left"}})"};
      {
        std::lock_guard<std::mutex> lock(mutex_);
        seen_.push_back({req.path, req.headers, req.body});
        if (!queue_.empty()) {
          canned = queue_.front();
          queue_.pop_front();
        }
      }
      if (canned.delay_seconds > 0) SleepSeconds(canned.delay_seconds);
      res.status = canned.status;
      for (const auto& [name, value] : canned.headers) res.set_header(name, value);
      res.set_content(canned.body, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) SleepSeconds(0.005);
  }
  ~MockServer() {
    server_.stop();
    thread_.join();
  }

  void Queue(Canned canned) {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(canned));
  }
  std::vector<Seen> seen() {
    std::lock_guard<std::mutex> lock(mutex_);
    return seen_;
  }
  std::string base_url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/v1";
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::deque<Canned> queue_;
  std::vector<Seen> seen_;
};

class ProviderHttpTest : public ::testing::Test {
 protected:
  ModelOptions Options() {
    ModelOptions options;
    options.base_url = server_.base_url();
    options.api_key = "sk-test-secret-123";
    options.connect_timeout_seconds = 2;
    options.timeout_seconds = 5;
    options.max_retries = 3;
    return options;
  }
  Completion Call(const std::string& spec, const ModelOptions& options,
                  std::vector<Message> messages = {{"user", "hi"}}) {
    return MakeModel(spec, options)->Complete(messages);
  }
  LlmError CallFails(const std::string& spec, const ModelOptions& options) {
    try {
      Call(spec, options);
    } catch (const LlmError& e) {
      return e;
    }
    ADD_FAILURE() << "no LlmError";
    return LlmError(ErrorKind::kOk, "", 0, "", 0, 0);
  }

  MockServer server_;
};

TEST_F(ProviderHttpTest, OpenAiPlainCompletion) {
  server_.Queue({200, kOpenAiOk});
  ModelOptions options = Options();
  options.temperature = 0.5;
  Completion c = Call("openai/qwen", options,
                      {{"system", "be brief"}, {"user", "hi"}});
  EXPECT_EQ(c.content, "hello");
  EXPECT_EQ(c.prompt_tokens, 44);
  EXPECT_EQ(c.completion_tokens, 16);
  EXPECT_EQ(c.retries, 0);
  EXPECT_EQ(c.retry_wait_seconds, 0);

  std::vector<Seen> seen = server_.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].path, "/v1/chat/completions");
  json body = json::parse(seen[0].body);
  EXPECT_EQ(body["model"], "qwen");
  EXPECT_EQ(body["messages"],
            json::parse(R"([{"role":"system","content":"be brief"},{"role":"user","content":"hi"}])"));
  EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.5);
  auto auth = seen[0].headers.find("Authorization");
  ASSERT_NE(auth, seen[0].headers.end());
  EXPECT_EQ(auth->second, "Bearer sk-test-secret-123");
}

TEST_F(ProviderHttpTest, OpenAiWithoutKeySendsNoAuthorization) {
  server_.Queue({200, kOpenAiOk});
  ModelOptions options = Options();
  options.api_key.clear();
  EXPECT_EQ(Call("openai/qwen", options).content, "hello");
  EXPECT_EQ(server_.seen()[0].headers.count("Authorization"), 0u);
}

TEST_F(ProviderHttpTest, ServiceUnavailableThenSuccessRetriesOnce) {
  server_.Queue({503, R"({"error":{"message":"Loading model"}})"});
  server_.Queue({200, kOpenAiOk});
  Completion c = Call("openai/qwen", Options());
  EXPECT_EQ(c.content, "hello");
  EXPECT_EQ(c.retries, 1);
  EXPECT_GE(c.retry_wait_seconds, 0.375);
  EXPECT_LE(c.retry_wait_seconds, 0.5);
  EXPECT_EQ(server_.seen().size(), 2u);
}

TEST_F(ProviderHttpTest, RateLimitWaitsAsToldByRetryAfterMs) {
  server_.Queue({429, R"({"error":{"message":"Rate limit reached","code":"rate_limit_exceeded"}})",
                 {{"retry-after-ms", "200"}}});
  server_.Queue({200, kOpenAiOk});
  double start = MonotonicSeconds();
  Completion c = Call("openai/qwen", Options());
  double elapsed = MonotonicSeconds() - start;
  EXPECT_EQ(c.content, "hello");
  EXPECT_GE(elapsed, 0.2);
  EXPECT_LT(elapsed, 0.45);  // not the 0.5 s default backoff
  EXPECT_DOUBLE_EQ(c.retry_wait_seconds, 0.2);
}

TEST_F(ProviderHttpTest, UnauthorizedIsNotRetriedAndSaysWhatToFix) {
  // A server that echoes the key must not get it into the message.
  server_.Queue({401, R"({"error":{"message":"Incorrect API key provided: sk-test-secret-123","type":"invalid_request_error","code":"invalid_api_key"}})"});
  LlmError e = CallFails("openai/qwen", Options());
  EXPECT_EQ(e.kind(), ErrorKind::kAuth);
  EXPECT_EQ(e.http_status(), 401);
  EXPECT_EQ(server_.seen().size(), 1u);
  std::string what = e.what();
  EXPECT_NE(what.find("HTTP 401 from " + server_.base_url() + "/chat/completions"),
            std::string::npos) << what;
  EXPECT_NE(what.find("OPENAI_API_KEY"), std::string::npos) << what;
  EXPECT_EQ(what.find("sk-test-secret-123"), std::string::npos) << what;
  // The broker catches it as what it is: a SystemError.
  const SystemError* as_system = &e;
  EXPECT_NE(as_system, nullptr);
}

TEST_F(ProviderHttpTest, QuotaIsNotRetried) {
  server_.Queue({429, R"({"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}})"});
  LlmError e = CallFails("openai/qwen", Options());
  EXPECT_EQ(e.kind(), ErrorKind::kQuota);
  EXPECT_EQ(server_.seen().size(), 1u);
  EXPECT_NE(std::string(e.what()).find("quota"), std::string::npos);
}

TEST_F(ProviderHttpTest, ContextOverflowIsItsOwnKind) {
  server_.Queue({400, R"j({"error":{"code":400,"message":"request (4476 tokens) exceeds the available context size (4096 tokens)","type":"exceed_context_size_error","n_prompt_tokens":4476,"n_ctx":4096}})j"});
  LlmError e = CallFails("openai/qwen", Options());
  EXPECT_EQ(e.kind(), ErrorKind::kContextOverflow);
  EXPECT_EQ(server_.seen().size(), 1u);
  EXPECT_NE(std::string(e.what()).find("exceeds the available context size"),
            std::string::npos);
}

TEST_F(ProviderHttpTest, RetriesRunOutOnPersistentOutage) {
  ModelOptions options = Options();
  options.max_retries = 1;
  server_.Queue({502, "Bad Gateway"});
  server_.Queue({502, "Bad Gateway"});
  LlmError e = CallFails("openai/qwen", options);
  EXPECT_EQ(e.kind(), ErrorKind::kRetryable);
  EXPECT_EQ(e.retries(), 1);
  EXPECT_GT(e.retry_wait_seconds(), 0);
  EXPECT_NE(std::string(e.what()).find("after 1 retry"), std::string::npos);
}

TEST_F(ProviderHttpTest, NonJsonSuccessIsABadResponse) {
  server_.Queue({200, "<html>proxy login</html>"});
  LlmError e = CallFails("openai/qwen", Options());
  EXPECT_EQ(e.kind(), ErrorKind::kBadResponse);
  EXPECT_NE(std::string(e.what()).find("proxy login"), std::string::npos);
}

TEST_F(ProviderHttpTest, AnthropicRoundTrip) {
  server_.Queue({200, R"({"id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"hi there"}],"stop_reason":"end_turn","usage":{"input_tokens":12,"output_tokens":3}})"});
  Completion c = Call("anthropic/claude-x", Options(),
                      {{"system", "sys"}, {"user", "a"}, {"user", "b"},
                       {"assistant", "c"}, {"user", "d"}});
  EXPECT_EQ(c.content, "hi there");
  EXPECT_EQ(c.prompt_tokens, 12);
  EXPECT_EQ(c.completion_tokens, 3);

  std::vector<Seen> seen = server_.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].path, "/v1/messages");
  auto key = seen[0].headers.find("x-api-key");
  ASSERT_NE(key, seen[0].headers.end());
  EXPECT_EQ(key->second, "sk-test-secret-123");
  auto version = seen[0].headers.find("anthropic-version");
  ASSERT_NE(version, seen[0].headers.end());
  EXPECT_EQ(version->second, "2023-06-01");
  EXPECT_EQ(seen[0].headers.count("Authorization"), 0u);
  json body = json::parse(seen[0].body);
  EXPECT_EQ(body["model"], "claude-x");
  EXPECT_EQ(body["system"], "sys");
  EXPECT_EQ(body["max_tokens"], 4096);
  EXPECT_EQ(body["messages"],
            json::parse(R"([{"role":"user","content":"a\n\nb"},{"role":"assistant","content":"c"},{"role":"user","content":"d"}])"));
}

TEST_F(ProviderHttpTest, AnthropicOverloadedThenSuccess) {
  server_.Queue({529, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"});
  server_.Queue({200, R"({"content":[{"type":"text","text":"ok"}]})"});
  Completion c = Call("anthropic/claude-x", Options());
  EXPECT_EQ(c.content, "ok");
  EXPECT_EQ(c.retries, 1);
  EXPECT_EQ(c.prompt_tokens, 1);  // no usage: estimated
}

TEST_F(ProviderHttpTest, TimeoutIsANetworkError) {
  server_.Queue({200, kOpenAiOk, {}, 1.0});
  ModelOptions options = Options();
  options.timeout_seconds = 0.3;
  options.max_retries = 0;
  double start = MonotonicSeconds();
  LlmError e = CallFails("openai/qwen", options);
  EXPECT_LT(MonotonicSeconds() - start, 0.9);
  EXPECT_EQ(e.kind(), ErrorKind::kNetwork);
  EXPECT_EQ(e.http_status(), 0);
}

int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);  // nothing listens there now
  return ntohs(address.sin_port);
}

TEST(ProviderNetworkTest, ConnectionRefusedFailsFastNamingTheEndpoint) {
  ModelOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(ClosedPort()) + "/v1";
  options.connect_timeout_seconds = 2;
  options.max_retries = 2;
  double start = MonotonicSeconds();
  try {
    MakeModel("openai/qwen", options)->Complete({{"user", "hi"}});
    FAIL() << "no error";
  } catch (const LlmError& e) {
    double elapsed = MonotonicSeconds() - start;
    EXPECT_LT(elapsed, 4.0);
    EXPECT_EQ(e.kind(), ErrorKind::kNetwork);
    EXPECT_EQ(e.retries(), 2);
    std::string what = e.what();
    EXPECT_NE(what.find("cannot reach " + options.base_url + "/chat/completions"),
              std::string::npos) << what;
  }
}

}  // namespace
}  // namespace redline
