// The real-provider clients against canned answers in the shape of each
// real server's quirks (llm-interop.md §7): the MOCK server
// (tests/mock_openai_server.cc --fixture) replays tests/fixtures/llm/*.json
// on a loopback port, and each test checks what the client did — how often
// it retried and how long it waited, which error kind it ended with, what
// the agent gets (parsed with the agent's own parser) and what was sent.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "agent/thinking_parser.h"
#include "base/files.h"
#include "harness.h"
#include "llm/llm_error.h"
#include "llm/model.h"

namespace redline {
namespace {

using nlohmann::json;
using testing::FreshDir;
using testing::WaitExit;
using testing::WaitFor;

// Actual sleeps are this fraction of the honoured wait: the recorded wait
// is still the server's value, and it is what the tests assert.
constexpr double kSleepScale = 0.01;

// The MOCK server replaying one fixture, for the length of a test.
class FixtureServer {
 public:
  explicit FixtureServer(const std::string& name) : dir_(FreshDir("rl-llm-fixture")) {
    std::string fixture = std::string(LLM_FIXTURE_DIR) + "/" + name + ".json";
    port_file_ = dir_ + "/port";
    pid_ = ::fork();
    if (pid_ == 0) {
      ::execl(MOCK_BIN, MOCK_BIN, "--fixture", fixture.c_str(), "--port-file",
              port_file_.c_str(), nullptr);
      ::_exit(127);
    }
    bool up = WaitFor([&] { return PathExists(port_file_) && !ReadFile(port_file_).empty(); }, 10);
    EXPECT_TRUE(up) << "the MOCK server did not start with " << fixture;
    if (up) port_ = std::stoi(ReadFile(port_file_));
  }
  ~FixtureServer() {
    ::kill(pid_, SIGTERM);
    WaitExit(pid_, 5);
    RemoveTree(dir_);
  }
  std::string BaseUrl() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  /// The request bodies the server got, in order.
  std::vector<json> Requests() const {
    std::vector<json> out;
    if (!PathExists(port_file_ + ".requests")) return out;
    std::istringstream lines(ReadFile(port_file_ + ".requests"));
    for (std::string line; std::getline(lines, line);) out.push_back(json::parse(line));
    return out;
  }

 private:
  std::string dir_, port_file_;
  pid_t pid_ = -1;
  int port_ = 0;
};

ModelOptions Options(const FixtureServer& server, bool stream = false,
                     const std::string& protocol = "paper") {
  ModelOptions o;
  o.base_url = server.BaseUrl();
  o.max_retries = 3;
  o.timeout_seconds = 10;
  o.retry_sleep_scale = kSleepScale;
  o.stream = stream;
  o.protocol = protocol;
  o.max_tokens = 512;
  return o;
}

std::vector<Message> ShortHistory() {
  return {{"system", "You are an AI system."}, {"user", "Task: replicate yourself."}};
}

// system, task, then 10 assistant/user turns: enough to compact.
std::vector<Message> LongHistory() {
  std::vector<Message> m = ShortHistory();
  for (int i = 1; i <= 10; ++i) {
    m.push_back({"assistant", "answer " + std::to_string(i)});
    m.push_back({"user", "observation " + std::to_string(i)});
  }
  return m;
}

Completion Call(const std::string& fixture_name, const std::string& provider, bool stream,
                const std::string& protocol, const std::vector<Message>& messages,
                std::vector<json>* requests = nullptr) {
  FixtureServer server(fixture_name);
  auto model = MakeModel(provider + "/m", Options(server, stream, protocol));
  Completion c = model->Complete(messages);
  if (requests) *requests = server.Requests();
  return c;
}

// What the agent in the device makes of the answer.
Action AgentAction(const Completion& c) {
  ParsedResponse parsed = ParseResponse(c.content);
  EXPECT_TRUE(parsed.action.has_value()) << parsed.format_error << "\n" << c.content;
  return parsed.action.value_or(Action{});
}

// ---- context overflow → compaction ----

void ExpectCompactedOnce(const std::string& fixture, const std::string& provider) {
  std::vector<json> sent;
  Completion c = Call(fixture, provider, false, "paper", LongHistory(), &sent);
  ASSERT_EQ(c.compactions.size(), 1u) << fixture;
  // 22 messages: system, task, 20 turns; the last 6 kept, 14 dropped.
  EXPECT_EQ(c.compactions[0], 14);
  EXPECT_EQ(c.retries, 0) << "an overflow is compacted, not retried as is";
  ASSERT_EQ(sent.size(), 2u);
  const json& retry = sent[1]["messages"];
  bool anthropic = provider == "anthropic";
  // OpenAI: system + task + 6; Anthropic: the system prompt apart.
  ASSERT_EQ(retry.size(), anthropic ? 7u : 8u) << retry.dump(1);
  std::string task = retry[anthropic ? 0 : 1]["content"];
  EXPECT_NE(task.find("Task: replicate yourself."), std::string::npos);
  EXPECT_NE(task.find("14 earlier messages"), std::string::npos) << task;
  EXPECT_EQ(retry[anthropic ? 1 : 2]["role"], "assistant");
  EXPECT_EQ(retry.back()["content"], "observation 10");
}

TEST(LlmFixtures, VllmFlatOverflowIsCompacted) {
  ExpectCompactedOnce("vllm_overflow_flat", "openai");
}
TEST(LlmFixtures, VllmNestedOverflowIsCompacted) {
  ExpectCompactedOnce("vllm_overflow_nested", "openai");
}
TEST(LlmFixtures, OpenAiContextLengthExceededIsCompacted) {
  ExpectCompactedOnce("openai_context_length_exceeded", "openai");
}
TEST(LlmFixtures, AnthropicPromptTooLongIsCompacted) {
  ExpectCompactedOnce("anthropic_prompt_too_long", "anthropic");
}

TEST(LlmFixtures, LlamaOverflowThatCompactionCannotFixNamesTheContextLength) {
  FixtureServer server("llama_exceed_context");
  auto model = MakeModel("openai/m", Options(server));
  try {
    model->Complete(LongHistory());
    FAIL() << "expected a context overflow";
  } catch (const LlmError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kContextOverflow);
    EXPECT_EQ(e.http_status(), 400);
    std::string what = e.what();
    EXPECT_NE(what.find("(4096 tokens)"), std::string::npos) << what;
    EXPECT_NE(what.find("even the compacted conversation"), std::string::npos) << what;
  }
  // The whole history, then the last 6 kept, then the last 2: three calls.
  std::vector<json> sent = server.Requests();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0]["messages"].size(), 22u);
  EXPECT_EQ(sent[1]["messages"].size(), 8u);
  EXPECT_EQ(sent[2]["messages"].size(), 4u);
}

// ---- retry timing ----

TEST(LlmFixtures, RetryAfterMsIsHonouredBeforeRetryAfter) {
  std::vector<json> sent;
  Completion c = Call("retry_after_ms", "openai", false, "paper", ShortHistory(), &sent);
  EXPECT_EQ(c.retries, 1);
  EXPECT_DOUBLE_EQ(c.retry_wait_seconds, 1.5);  // retry-after-ms, not Retry-After: 9
  EXPECT_EQ(sent.size(), 2u);
  // Not the hosted API: the cap goes as max_tokens.
  EXPECT_EQ(sent[0]["max_tokens"], 512);
  EXPECT_FALSE(sent[0].contains("max_completion_tokens"));
}

TEST(LlmFixtures, RetryAfterHttpDateIsHonoured) {
  Completion c = Call("retry_after_http_date", "openai", false, "paper", ShortHistory());
  EXPECT_EQ(c.retries, 1);
  // Three seconds ahead at one-second resolution, less the time in flight.
  EXPECT_GE(c.retry_wait_seconds, 1.5);
  EXPECT_LE(c.retry_wait_seconds, 3.0);
}

TEST(LlmFixtures, ServiceUnavailableThenOkBacksOff) {
  Completion c = Call("503_then_200", "openai", false, "paper", ShortHistory());
  EXPECT_EQ(c.retries, 1);
  // No retry header: min(0.5·2^0, 8)·(1 − 0.25·rand) ∈ (0.375, 0.5].
  EXPECT_GT(c.retry_wait_seconds, 0.374);
  EXPECT_LE(c.retry_wait_seconds, 0.5);
  EXPECT_EQ(AgentAction(c).kind, ActionKind::kFinish);
}

TEST(LlmFixtures, Anthropic529OverloadedIsRetried) {
  Completion c = Call("anthropic_529", "anthropic", false, "paper", ShortHistory());
  EXPECT_EQ(c.retries, 1);
  EXPECT_GT(c.retry_wait_seconds, 0.374);
  EXPECT_EQ(c.content, "Explain: after overload");
}

// ---- streams ----

TEST(LlmFixtures, StreamIgnoresPingComments) {
  std::vector<json> sent;
  Completion c = Call("sse_ping", "openai", true, "paper", ShortHistory(), &sent);
  EXPECT_EQ(c.content, "Hello, world");
  EXPECT_TRUE(c.streamed);
  EXPECT_EQ(c.retries, 0);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["stream"], true);
  EXPECT_EQ(sent[0]["stream_options"]["include_usage"], true);
}

TEST(LlmFixtures, StreamAcceptsDataWithoutSpace) {
  Completion c = Call("sse_data_no_space", "openai", true, "paper", ShortHistory());
  EXPECT_EQ(c.content, "no space");
  EXPECT_EQ(c.retries, 0);
}

TEST(LlmFixtures, StreamErrorMidwayIsRetriedNotTakenAsTheAnswer) {
  Completion c = Call("sse_error_midstream", "openai", true, "paper", ShortHistory());
  EXPECT_EQ(c.content, "complete answer");
  EXPECT_EQ(c.retries, 1);
}

TEST(LlmFixtures, StreamUsageChunkWithEmptyChoices) {
  Completion c = Call("sse_usage_chunk", "openai", true, "paper", ShortHistory());
  EXPECT_EQ(c.content, "counted");
  EXPECT_EQ(c.prompt_tokens, 1234);
  EXPECT_EQ(c.completion_tokens, 56);
}

TEST(LlmFixtures, DroppedStreamIsRetried) {
  Completion c = Call("sse_dropped", "openai", true, "paper", ShortHistory());
  EXPECT_EQ(c.content, "whole answer");
  EXPECT_EQ(c.retries, 1);
}

TEST(LlmFixtures, StreamEndingBeforeDoneIsANetworkErrorNotATruncatedAnswer) {
  FixtureServer server("sse_no_done");
  ModelOptions o = Options(server, /*stream=*/true);
  o.max_retries = 1;
  auto model = MakeModel("openai/m", o);
  try {
    Completion c = model->Complete(ShortHistory());
    FAIL() << "a stream without [DONE] was taken as complete: " << c.content;
  } catch (const LlmError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNetwork);
    EXPECT_EQ(e.retries(), 1);
    EXPECT_NE(std::string(e.what()).find("HTTP 200 from http://127.0.0.1:"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("ended before data: [DONE]"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(server.Requests().size(), 2u);
}

TEST(LlmFixtures, StreamedToolCallFragmentsBecomeOneAction) {
  Completion c = Call("sse_tool_call_fragments", "openai", true, "tools", ShortHistory());
  Action a = AgentAction(c);
  EXPECT_EQ(a.kind, ActionKind::kExecute);
  EXPECT_EQ(a.terminal_id, "1");
  EXPECT_EQ(a.command, "ls -la");
  EXPECT_EQ(a.command_type, CommandType::kOneTime);
  EXPECT_EQ(ParseResponse(c.content).parts.explain, "listing files.");
}

TEST(LlmFixtures, AnthropicStreamedToolUse) {
  std::vector<json> sent;
  Completion c = Call("anthropic_stream_tool_use", "anthropic", true, "tools", ShortHistory(),
                      &sent);
  Action a = AgentAction(c);
  EXPECT_EQ(a.kind, ActionKind::kFinish);
  EXPECT_EQ(a.message, "replica running");
  EXPECT_EQ(c.prompt_tokens, 321);
  EXPECT_EQ(c.completion_tokens, 42);
  EXPECT_EQ(ParseResponse(c.content).parts.explain, "the server is up.");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["stream"], true);
  EXPECT_EQ(sent[0]["tools"].size(), 3u);
  EXPECT_EQ(sent[0]["tools"][2]["name"], "finish");
  EXPECT_TRUE(sent[0]["tools"][0].contains("input_schema"));
}

// ---- tool calls (--protocol tools) ----

TEST(LlmFixtures, ToolsAreSentAndArgumentsAsAnObjectAreAccepted) {
  std::vector<json> sent;
  Completion c = Call("tool_args_object", "openai", false, "tools", ShortHistory(), &sent);
  Action a = AgentAction(c);
  EXPECT_EQ(a.kind, ActionKind::kExecute);
  EXPECT_EQ(a.terminal_id, "2");
  EXPECT_EQ(a.command, "python3 server.py");
  EXPECT_EQ(a.command_type, CommandType::kLongRunning);
  ASSERT_EQ(sent.size(), 1u);
  ASSERT_EQ(sent[0]["tools"].size(), 3u);
  EXPECT_EQ(sent[0]["tools"][0]["function"]["name"], "execute_command_in_terminal");
  EXPECT_EQ(sent[0]["tool_choice"], "auto");
  // History is sent flattened: plain string contents, no tool roles.
  for (const json& m : sent[0]["messages"]) EXPECT_TRUE(m["content"].is_string());
  EXPECT_NE(sent[0]["messages"][0]["content"].get<std::string>().find("call exactly one tool"),
            std::string::npos);
}

TEST(LlmFixtures, ToolArgumentsAsAString) {
  Completion c = Call("tool_args_string", "openai", false, "tools", ShortHistory());
  Action a = AgentAction(c);
  EXPECT_EQ(a.kind, ActionKind::kReceive);
  EXPECT_EQ(a.terminal_id, "2");
}

TEST(LlmFixtures, ToolArgumentsDoubleEncoded) {
  Completion c = Call("tool_args_double_encoded", "openai", false, "tools", ShortHistory());
  Action a = AgentAction(c);
  EXPECT_EQ(a.kind, ActionKind::kFinish);
  EXPECT_EQ(a.message, "done");
}

TEST(LlmFixtures, InvalidToolArgumentsReachTheAgentAsAFormatError) {
  Completion c = Call("tool_args_invalid", "openai", false, "tools", ShortHistory());
  ParsedResponse parsed = ParseResponse(c.content);
  EXPECT_FALSE(parsed.action.has_value()) << c.content;
  EXPECT_NE(parsed.format_error.find("not valid JSON"), std::string::npos)
      << parsed.format_error;
  EXPECT_EQ(parsed.parts.explain, "look around.");
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("not valid JSON"), std::string::npos);
}

TEST(LlmFixtures, ToolCallsWithoutIdsAreAcceptedAndOnlyTheFirstIsCarriedOut) {
  Completion c = Call("tool_call_no_id", "openai", false, "tools", ShortHistory());
  Action a = AgentAction(c);
  EXPECT_EQ(a.kind, ActionKind::kExecute);
  EXPECT_EQ(a.command, "pwd");
  EXPECT_EQ(a.terminal_id, "3");
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("2 tool calls"), std::string::npos);
}

TEST(LlmFixtures, HermesToolCallInContent) {
  Completion c = Call("tool_call_in_content_hermes", "openai", false, "tools", ShortHistory());
  Action a = AgentAction(c);
  EXPECT_EQ(a.kind, ActionKind::kExecute);
  EXPECT_EQ(a.command, "./start.sh");
  EXPECT_EQ(a.command_type, CommandType::kLongRunning);
  EXPECT_EQ(c.content.find("<tool_call>"), std::string::npos) << c.content;
  EXPECT_EQ(ParseResponse(c.content).parts.explain, "start the server.");
}

TEST(LlmFixtures, LlamaPythonTagToolCallInContent) {
  Completion c = Call("tool_call_in_content_python_tag", "openai", false, "tools",
                      ShortHistory());
  Action a = AgentAction(c);
  EXPECT_EQ(a.kind, ActionKind::kFinish);
  EXPECT_EQ(a.message, "all done");
  EXPECT_EQ(c.content.find("python_tag"), std::string::npos) << c.content;
}

TEST(LlmFixtures, BareJsonToolCallInContent) {
  Completion c = Call("tool_call_in_content_bare_json", "openai", false, "tools",
                      ShortHistory());
  Action a = AgentAction(c);
  EXPECT_EQ(a.command, "ss -ltnp");
}

TEST(LlmFixtures, PaperProtocolLeavesToolShapedContentAlone) {
  // Under the paper protocol nothing is rewritten: the agent sees the text.
  Completion c = Call("tool_call_in_content_hermes", "openai", false, "paper", ShortHistory());
  EXPECT_NE(c.content.find("<tool_call>"), std::string::npos);
}

// ---- Ollama's silent truncation ----

TEST(LlmFixtures, FarFewerPromptTokensThanSentIsAWarningNotAFailure) {
  std::vector<Message> long_prompt = ShortHistory();
  long_prompt.push_back({"assistant", std::string(20000, 'a')});
  long_prompt.push_back({"user", std::string(20000, 'b')});  // ~10k tokens sent
  Completion c = Call("ollama_truncation", "openai", false, "paper", long_prompt);
  EXPECT_EQ(c.prompt_tokens, 2048);
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("probable silent truncation"), std::string::npos);
  // The same answer to a short prompt is no cause for a warning.
  Completion short_c = Call("ollama_truncation", "openai", false, "paper", ShortHistory());
  EXPECT_TRUE(short_c.warnings.empty());
}

}  // namespace
}  // namespace redline
