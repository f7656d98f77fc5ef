// The broker under a device that misuses its socket: too many connections,
// too much data, too slowly, too many valid calls, a transcript flood.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "base/clock.h"
#include "base/error.h"
#include "base/files.h"
#include "base/random.h"
#include "broker/broker.h"
#include "broker/broker_protocol.h"

namespace redline {
namespace {

using nlohmann::json;

class EchoModel : public Model {
 public:
  Completion Complete(const std::vector<Message>& messages) override {
    return {"echo: " + messages.back().content.substr(0, 100), 5, 2};
  }
  std::string Name() const override { return "test/echo"; }
};

UniqueFd Connect(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  EXPECT_EQ(::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  return fd;
}

// Reads until a '\n' or the connection closes (bounded by `seconds`).
std::string ReadAnswer(int fd, double seconds = 5) {
  timeval tv{static_cast<time_t>(seconds), 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return out;
    out.append(buf, size_t(n));
    if (out.back() == '\n') return out;
  }
}

// Sends what it can of `data`; the broker may close midway.
size_t SendSome(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n <= 0) break;
    done += size_t(n);
  }
  return done;
}

int ThreadCount() {
  std::string status = ReadFile("/proc/self/status");
  size_t at = status.find("Threads:");
  return std::atoi(status.c_str() + at + 8);
}

class BrokerLimitsTest : public ::testing::Test {
 protected:
  void Start(const BrokerLimits& limits) {
    dir_ = "/tmp/rl-broker-limits-" + RandomToken(8);
    MakeDirs(dir_);
    transcript_ = std::make_unique<JsonlWriter>(dir_ + "/transcript.jsonl");
    broker_ = std::make_unique<Broker>(dir_ + "/b.sock", model_, *transcript_, 0, limits);
  }
  void TearDown() override {
    broker_.reset();
    RemoveTree(dir_);
  }
  json Call(const std::string& text) {
    json request = {{"messages", {{{"role", "user"}, {"content", text}}}}};
    return json::parse(BrokerRoundTrip(dir_ + "/b.sock", request.dump(), 10));
  }
  std::vector<json> Records() {
    std::istringstream lines(ReadFile(dir_ + "/transcript.jsonl"));
    std::vector<json> records;
    for (std::string line; std::getline(lines, line);) records.push_back(json::parse(line));
    return records;
  }
  std::string sock() const { return dir_ + "/b.sock"; }

  std::string dir_;
  EchoModel model_;
  std::unique_ptr<JsonlWriter> transcript_;
  std::unique_ptr<Broker> broker_;
};

TEST_F(BrokerLimitsTest, ConnectionsOverTheLimitAreRefusedAtOnce) {
  BrokerLimits limits;
  limits.max_connections = 4;
  Start(limits);
  int threads_before = ThreadCount();
  std::vector<UniqueFd> held;
  for (int i = 0; i < 4; ++i) held.push_back(Connect(sock()));
  SleepSeconds(0.2);  // all four taken up by workers
  std::vector<UniqueFd> extra;
  for (int i = 0; i < 50; ++i) extra.push_back(Connect(sock()));
  for (UniqueFd& fd : extra) {
    json answer = json::parse(ReadAnswer(fd.get(), 2));
    EXPECT_FALSE(answer["ok"].get<bool>());
    EXPECT_NE(answer["error"].get<std::string>().find("4 connections"), std::string::npos);
  }
  EXPECT_LE(ThreadCount(), threads_before + 4);
  EXPECT_EQ(broker_->Stats().refused_connections, 50);
  EXPECT_EQ(broker_->Stats().peak_connections, 4);
  held.clear();
  SleepSeconds(0.2);  // the workers see the closes
  EXPECT_TRUE(Call("after")["ok"].get<bool>());
}

TEST_F(BrokerLimitsTest, AnOversizedRequestIsRefusedBeforeItIsAllRead) {
  BrokerLimits limits;
  limits.max_request_bytes = 100000;
  Start(limits);
  UniqueFd fd = Connect(sock());
  std::string huge(8u << 20, 'a');
  std::thread sender([&] { SendSome(fd.get(), huge); });
  std::string answer = ReadAnswer(fd.get());
  ::shutdown(fd.get(), SHUT_RDWR);
  sender.join();
  EXPECT_NE(answer.find("too long"), std::string::npos) << answer;
  BrokerStats stats = broker_->Stats();
  EXPECT_EQ(stats.refused_too_large, 1);
  EXPECT_LE(stats.bytes_received, 100000 + 65536);
  EXPECT_TRUE(Call("still fine")["ok"].get<bool>());
}

TEST_F(BrokerLimitsTest, MemoryForRequestsInFlightIsShared) {
  BrokerLimits limits;
  limits.max_bytes_in_flight = 300000;
  limits.max_request_bytes = 250000;
  Start(limits);
  // One connection holds most of the budget with an unfinished line...
  UniqueFd hog = Connect(sock());
  SendSome(hog.get(), std::string(200000, 'h'));
  SleepSeconds(0.3);
  // ...so the next big one finds no room and is told so at once.
  UniqueFd second = Connect(sock());
  std::thread sender([&] { SendSome(second.get(), std::string(200000, 's')); });
  std::string answer = ReadAnswer(second.get());
  ::shutdown(second.get(), SHUT_RDWR);
  sender.join();
  EXPECT_NE(answer.find("memory for requests in flight"), std::string::npos) << answer;
  EXPECT_EQ(broker_->Stats().refused_busy, 1);
  EXPECT_LE(broker_->Stats().peak_bytes_in_flight, 300000);
  // A small call still fits beside the hog.
  EXPECT_TRUE(Call("small")["ok"].get<bool>());
}

TEST_F(BrokerLimitsTest, SlowAndSilentPeersLoseTheirSlot) {
  BrokerLimits limits;
  limits.max_connections = 2;
  limits.stall_seconds = 0.5;
  limits.grace_seconds = 0.3;
  limits.min_bytes_per_second = 1000;
  Start(limits);
  UniqueFd silent = Connect(sock());
  UniqueFd dribbler = Connect(sock());
  double start = MonotonicSeconds();
  std::thread drip([&] {
    for (int i = 0; i < 100 && MonotonicSeconds() - start < 5; ++i) {
      if (::send(dribbler.get(), "{", 1, MSG_NOSIGNAL) <= 0) break;
      SleepSeconds(0.05);
    }
  });
  EXPECT_NE(ReadAnswer(silent.get()).find("silent"), std::string::npos);
  EXPECT_NE(ReadAnswer(dribbler.get()).find("too slowly"), std::string::npos);
  drip.join();
  EXPECT_LT(MonotonicSeconds() - start, 3.0);
  EXPECT_EQ(broker_->Stats().dropped_slow, 2);
  EXPECT_TRUE(Call("my turn")["ok"].get<bool>());
}

TEST_F(BrokerLimitsTest, ValidRequestsOverTheRateAreRefusedAndSummarised) {
  BrokerLimits limits;
  limits.rate_burst = 5;
  limits.rate_per_second = 1;
  Start(limits);
  int ok = 0, refused = 0;
  for (int i = 0; i < 30; ++i) {
    json answer = Call("call " + std::to_string(i));
    if (answer["ok"].get<bool>()) ++ok;
    else if (answer["error"].get<std::string>().find("rate limit") != std::string::npos) ++refused;
  }
  EXPECT_GE(ok, 5);
  EXPECT_LE(ok, 7);  // the burst, and what refilled meanwhile
  EXPECT_EQ(ok + refused, 30);
  EXPECT_EQ(broker_->Stats().refused_rate_limited, refused);
  EXPECT_EQ(broker_->Stats().calls, ok);
  broker_.reset();  // flushes the last summary
  int summaries = 0, counted = 0;
  for (const json& r : Records()) {
    if (r["type"] != "broker_refusals") continue;
    ++summaries;
    counted += r["counts"].value("valid requests over the rate limit", 0);
  }
  EXPECT_EQ(counted, refused);
  EXPECT_LE(summaries, 4);  // about one a second, not one per refusal
}

TEST_F(BrokerLimitsTest, TheTranscriptStopsAtItsCapWithANote) {
  BrokerLimits limits;
  limits.max_transcript_bytes = 8192;
  limits.max_logged_content_bytes = 1000;
  Start(limits);
  for (int i = 0; i < 40; ++i) EXPECT_TRUE(Call(std::string(3000, 'a' + i % 26))["ok"].get<bool>());
  EXPECT_TRUE(broker_->Stats().transcript_truncated);
  EXPECT_EQ(broker_->Stats().calls, 40);
  EXPECT_LE(ReadFile(dir_ + "/transcript.jsonl").size(), 8192u);
  std::vector<json> records = Records();
  ASSERT_GE(records.size(), 2u);
  EXPECT_EQ(records.back()["type"], "transcript_truncated");
  EXPECT_EQ(records.front()["content_cut_bytes"], 2000);
  EXPECT_EQ(records.front()["new_messages"][0]["content"].get<std::string>().size(), 1000u);
}

TEST_F(BrokerLimitsTest, BrokenUtf8IsAnErrorAnswerNotACrash) {
  Start(BrokerLimits());
  UniqueFd fd = Connect(sock());
  SendSome(fd.get(), "\xff\xfe{\"messages\":\n");
  json answer = json::parse(ReadAnswer(fd.get()));
  EXPECT_FALSE(answer["ok"].get<bool>());
  EXPECT_NE(answer["error"].get<std::string>().find("bad request"), std::string::npos);
}

}  // namespace
}  // namespace redline
