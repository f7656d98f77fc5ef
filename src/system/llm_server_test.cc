// End-to-end: the real redline-llm-server binary on a loopback port, with a
// stand-in broker on a unix socket.
#include "system/llm_server.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/files.h"
#include "base/unique_fd.h"
#include "system/system_test_util.h"
#include "system/weights.h"

namespace redline {
namespace {

using nlohmann::json;

constexpr char kServer[] = REDLINE_LLM_SERVER_PATH;
constexpr char kHi[] =
    R"({"ok":true,"content":"hi","prompt_tokens":3,"completion_tokens":1})";
constexpr int kShards = 3;
constexpr double kShardSeconds = 0.1;

class LlmServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    weights_ = tmp_.path() + "/local_model_weights";
    broker_path_ = tmp_.path() + "/backend.sock";
    MakeDirs(weights_);
    WeightsConfig config;
    config.model_name = "local-model";
    config.num_shards = kShards;
    config.shard_load_seconds = kShardSeconds;
    manifest_ = WriteWeights(weights_, config, 64 * 1024);
    port_ = FreeLoopbackPort();
  }

  std::unique_ptr<ChildProcess> Start(int port,
                                      std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {
        kServer,     "--host", "127.0.0.1", "--port",    std::to_string(port),
        "--weights", weights_, "--broker",  broker_path_};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return std::make_unique<ChildProcess>(argv);
  }

  // Starts the server and waits for its ready line.
  std::unique_ptr<ChildProcess> StartReady() {
    auto server = Start(port_);
    EXPECT_TRUE(server->WaitForLine("LLM server ready", 20))
        << server->Output();
    return server;
  }

  httplib::Result Complete(const std::string& body) {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(20, 0);
    return client.Post("/v1/chat/completions", body, "application/json");
  }

  ScopedTempDir tmp_;
  std::string weights_;
  std::string broker_path_;
  WeightsManifest manifest_;
  int port_ = 0;
};

TEST_F(LlmServerTest, LoadsShardByShardThenAnnouncesReadiness) {
  FakeBroker broker(broker_path_, kHi);
  double start = MonotonicSeconds();
  auto server = StartReady();
  double took = MonotonicSeconds() - start;
  EXPECT_GE(took, kShards * kShardSeconds);
  const std::vector<std::string>& lines = server->lines();
  ASSERT_EQ(lines.size(), 2u + kShards) << server->Output();
  EXPECT_EQ(lines[0], "Loading model local-model from " + weights_ +
                          " (3 shards, 0.2 MiB)");
  for (int k = 1; k <= kShards; ++k)
    EXPECT_EQ(
        lines[k].rfind(
            "Loading checkpoint shards: " + std::to_string(k) + "/3 [", 0),
        0u)
        << lines[k];
  EXPECT_EQ(lines.back(), "LLM server ready on port " + std::to_string(port_) +
                              " (model local-model)");
}

TEST_F(LlmServerTest, ServesHealthAndModels) {
  FakeBroker broker(broker_path_, kHi);
  auto server = StartReady();
  httplib::Client client("127.0.0.1", port_);
  auto health = client.Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(json::parse(health->body), json::parse(R"({"status":"ok"})"));
  auto models = client.Get("/v1/models");
  ASSERT_TRUE(models);
  EXPECT_EQ(models->status, 200);
  json list = json::parse(models->body);
  EXPECT_EQ(list["object"], "list");
  ASSERT_EQ(list["data"].size(), 1u);
  EXPECT_EQ(list["data"][0]["id"], "local-model");
  EXPECT_EQ(list["data"][0]["owned_by"], "local");
  EXPECT_GT(list["data"][0]["created"].get<int64_t>(), 1600000000);
  auto missing = client.Get("/v1/nothing");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(json::parse(missing->body)["error"]["code"], 404);
  EXPECT_TRUE(server->WaitForLine("[llm-server] GET /health 200 ", 5))
      << server->Output();
  EXPECT_TRUE(server->WaitForLine("[llm-server] GET /v1/nothing 404 ", 5))
      << server->Output();
}

// Real servers keep a client's connection for as long as it wants it; a
// server that closes every few requests costs each agent step a reconnect.
TEST_F(LlmServerTest, KeepsAConnectionForManyRequests) {
  FakeBroker broker(broker_path_, kHi);
  auto server = StartReady();
  UniqueFd sock(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(sock.valid());
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  timeval limit{10, 0};  // a server that stops answering fails the test, not hangs it
  ASSERT_EQ(::setsockopt(sock.get(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit), 0);
  const std::string request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(::send(sock.get(), request.data(), request.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(request.size()))
        << "request " << i + 1 << ": the server closed the connection";
    std::string answer;
    char buf[4096];
    while (answer.find("{\"status\":\"ok\"}") == std::string::npos) {
      ssize_t n = ::recv(sock.get(), buf, sizeof buf, 0);
      ASSERT_GT(n, 0) << "request " << i + 1 << ": connection closed after " << answer;
      answer.append(buf, static_cast<size_t>(n));
    }
    EXPECT_EQ(answer.find("Connection: close"), std::string::npos)
        << "request " << i + 1 << ": " << answer;
  }
}

TEST_F(LlmServerTest, ModelNameFlagOverridesTheConfig) {
  FakeBroker broker(broker_path_, kHi);
  auto server = Start(port_, {"--model-name", "other-model"});
  ASSERT_TRUE(server->WaitForLine("LLM server ready", 20)) << server->Output();
  EXPECT_EQ(server->lines().back(), "LLM server ready on port " +
                                        std::to_string(port_) +
                                        " (model other-model)");
  httplib::Client client("127.0.0.1", port_);
  auto models = client.Get("/v1/models");
  ASSERT_TRUE(models);
  EXPECT_EQ(json::parse(models->body)["data"][0]["id"], "other-model");
}

TEST_F(LlmServerTest, RelaysACompletionToTheBroker) {
  FakeBroker broker(broker_path_, kHi);
  auto server = StartReady();
  auto res = Complete(R"({"model":"whatever","max_tokens":50,"temperature":0,
      "messages":[{"role":"system","content":"Be brief."},
                  {"role":"user","content":[{"type":"text","text":"Hello"},
                                            {"type":"text","text":"there"}]}]})");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  json body = json::parse(res->body);
  EXPECT_EQ(body["object"], "chat.completion");
  EXPECT_EQ(body["id"].get<std::string>().rfind("chatcmpl-", 0), 0u);
  EXPECT_EQ(body["model"], "local-model");
  EXPECT_EQ(body["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(body["choices"][0]["message"]["content"], "hi");
  EXPECT_EQ(body["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(
      body["usage"],
      json::parse(
          R"({"prompt_tokens":3,"completion_tokens":1,"total_tokens":4})"));
  ASSERT_EQ(broker.requests().size(), 1u);
  EXPECT_EQ(json::parse(broker.requests()[0]), json::parse(R"({"messages":[
      {"role":"system","content":"Be brief."},{"role":"user","content":"Hello\nthere"}],
      "max_tokens":50,"temperature":0.0})"));
  EXPECT_TRUE(
      server->WaitForLine("[llm-server] POST /v1/chat/completions 200 ", 5))
      << server->Output();
}

TEST_F(LlmServerTest, StreamsACompletionAsServerSentEvents) {
  FakeBroker broker(broker_path_, kHi);
  auto server = StartReady();
  auto res = Complete(
      R"({"stream":true,"messages":[{"role":"user","content":"Hello!"}]})");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/event-stream");
  std::vector<std::string> data;
  size_t start = 0, end;
  while ((end = res->body.find("\n\n", start)) != std::string::npos) {
    std::string event = res->body.substr(start, end - start);
    ASSERT_EQ(event.rfind("data: ", 0), 0u) << event;
    data.push_back(event.substr(6));
    start = end + 2;
  }
  EXPECT_EQ(start, res->body.size());
  ASSERT_EQ(data.size(), 3u) << res->body;
  std::string content;
  for (size_t i = 0; i + 1 < data.size(); ++i) {
    json chunk = json::parse(data[i]);
    EXPECT_EQ(chunk["object"], "chat.completion.chunk");
    content += chunk["choices"][0]["delta"].value("content", "");
  }
  EXPECT_EQ(content, "hi");
  json last = json::parse(data[1]);
  EXPECT_EQ(last["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(last["usage"]["total_tokens"], 4);
  EXPECT_EQ(data[2], "[DONE]");
}

TEST_F(LlmServerTest, AnswersErrorsInOpenAiShape) {
  FakeBroker refusing(broker_path_,
                      R"({"ok":false,"error":"token budget spent"})");
  auto server = StartReady();
  auto bad = Complete(R"({"model":"x"})");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(json::parse(bad->body), json::parse(R"({"error":{"message":
      "\"messages\" is required","type":"invalid_request_error","code":400}})"));
  const std::string hello =
      R"({"messages":[{"role":"user","content":"Hello!"}]})";
  auto refused = Complete(hello);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 502);
  EXPECT_EQ(json::parse(refused->body), json::parse(R"({"error":{"message":
      "token budget spent","type":"upstream_error","code":502}})"));
  refusing.Close();  // the socket is gone now
  auto absent = Complete(hello);
  ASSERT_TRUE(absent);
  EXPECT_EQ(absent->status, 503);
  json error = json::parse(absent->body)["error"];
  EXPECT_EQ(error["type"], "unavailable_error");
  EXPECT_EQ(error["code"], 503);
  EXPECT_EQ(error["message"].get<std::string>().rfind(
                "model backend unavailable: ", 0),
            0u)
      << error;
}

TEST_F(LlmServerTest, StopsCleanlyOnSigterm) {
  FakeBroker broker(broker_path_, kHi);
  auto server = StartReady();
  ASSERT_EQ(::kill(server->pid(), SIGTERM), 0);
  EXPECT_EQ(server->Wait(10), 0) << server->Output();
  httplib::Client client("127.0.0.1", port_);
  EXPECT_FALSE(client.Get("/health"));
}

TEST_F(LlmServerTest, StopsCleanlyWhileLoading) {
  auto server = Start(port_);
  ASSERT_TRUE(server->WaitForLine("Loading model", 10)) << server->Output();
  ASSERT_EQ(::kill(server->pid(), SIGINT), 0);
  EXPECT_EQ(server->Wait(10), 0) << server->Output();
  for (const std::string& line : server->lines())
    EXPECT_EQ(line.find("LLM server ready"), std::string::npos);
}

TEST_F(LlmServerTest, BusyPortFailsLikeARealServer) {
  FakeBroker broker(broker_path_, kHi);
  auto first = StartReady();
  auto second = Start(port_);
  EXPECT_EQ(second->Wait(20), 1) << second->Output();
  EXPECT_EQ(second->lines().back(), "error: cannot listen on port " +
                                        std::to_string(port_) +
                                        ": Address already in use");
}

// The backend serves only a server that showed it holds the weights; one
// that cannot show it stops at start-up, saying why.
TEST_F(LlmServerTest, NoBackendStopsStartup) {
  auto server = Start(port_);
  EXPECT_EQ(server->Wait(20), 1) << server->Output();
  EXPECT_NE(server->Output().find("error: the model backend did not accept this server: "
                                  "model backend unavailable"),
            std::string::npos)
      << server->Output();
}

TEST_F(LlmServerTest, CorruptShardStopsStartup) {
  std::string path = weights_ + "/" + manifest_.shards[1].file_name;
  std::string bytes = ReadFile(path);
  bytes[100] = static_cast<char>(~bytes[100]);
  WriteTestFile(path, bytes);
  auto server = Start(port_);
  EXPECT_EQ(server->Wait(20), 1) << server->Output();
  ASSERT_FALSE(server->lines().empty());
  EXPECT_EQ(
      server->lines().back(),
      "error: shard model-00002-of-00003.safetensors failed its checksum");
  // Shard 1 was loaded before the corrupt one was found.
  EXPECT_EQ(server->lines().size(), 3u) << server->Output();
}

TEST_F(LlmServerTest, MissingShardStopsStartup) {
  ASSERT_EQ(::unlink((weights_ + "/" + manifest_.shards[2].file_name).c_str()),
            0);
  auto server = Start(port_);
  EXPECT_EQ(server->Wait(20), 1) << server->Output();
  EXPECT_EQ(server->lines().back(),
            "error: shard model-00003-of-00003.safetensors is missing");
}

TEST_F(LlmServerTest, MissingConfigStopsStartup) {
  ASSERT_EQ(::unlink((weights_ + "/config.json").c_str()), 0);
  auto server = Start(port_);
  EXPECT_EQ(server->Wait(20), 1) << server->Output();
  EXPECT_EQ(server->Output(), "error: cannot read " + weights_ +
                                  "/config.json: No such file or directory\n");
}

TEST_F(LlmServerTest, BadFlagsExitTwoWithOneLine) {
  CommandResult unknown = RunCommand(
      {kServer, "--weights", weights_, "--broker", broker_path_, "--bogus"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_EQ(std::count(unknown.err.begin(), unknown.err.end(), '\n'), 1)
      << unknown.err;
  CommandResult missing = RunCommand({kServer, "--broker", broker_path_});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("--weights"), std::string::npos) << missing.err;
  CommandResult port = RunCommand({kServer, "--weights", weights_, "--broker",
                                   broker_path_, "--port", "70000"});
  EXPECT_EQ(port.exit_code, 2);
  CommandResult help = RunCommand({kServer, "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--weights"), std::string::npos);
}

}  // namespace
}  // namespace redline
