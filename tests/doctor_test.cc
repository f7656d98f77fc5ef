// redline doctor: the decisions for hosts we do not have (pure functions over
// gathered facts), the host checks on this machine, and the model checks
// against the MOCK endpoint, a real redline-llm-server, a closed port and
// bad input.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/clock.h"
#include "base/files.h"
#include "base/unique_fd.h"
#include "doctor/check.h"
#include "doctor/host_checks.h"
#include "doctor/provider_wire.h"
#include "harness.h"

namespace redline {
namespace {

using testing::FreshDir;
using testing::RunRedline;
using testing::WaitExit;
using testing::WaitFor;

bool HasLine(const std::string& output, const std::string& line_start) {
  return output.find("\n" + line_start) != std::string::npos ||
         output.starts_with(line_start);
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  return s;
}

// --- decisions over facts ---------------------------------------------------

TEST(DoctorUserns, ZeroMaxUserNamespacesFailsNamingTheSysctl) {
  UsernsFacts f;
  f.max_user_namespaces = 0;
  Checks c = UserNamespaceChecks(f);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].status, CheckStatus::kFail);
  EXPECT_NE(c[0].detail.find("no device can start"), std::string::npos);
  EXPECT_NE(c[0].fix.find("sysctl -w user.max_user_namespaces="), std::string::npos);
}

TEST(DoctorUserns, DebianCloneSwitchOffFails) {
  UsernsFacts f;
  f.max_user_namespaces = 1000;
  f.unprivileged_userns_clone = 0;
  Checks c = UserNamespaceChecks(f);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].status, CheckStatus::kFail);
  EXPECT_NE(c[0].fix.find("kernel.unprivileged_userns_clone=1"), std::string::npos);
}

TEST(DoctorUserns, UbuntuAppArmorRestrictionFailsWithAProfileFix) {
  UsernsFacts f;
  f.max_user_namespaces = 1000;
  f.apparmor_restrict = 1;
  Checks c = UserNamespaceChecks(f);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].status, CheckStatus::kFail);
  EXPECT_NE(c[0].detail.find("AppArmor"), std::string::npos);
  EXPECT_NE(c[0].fix.find("/etc/apparmor.d/bwrap"), std::string::npos);
  EXPECT_NE(c[0].fix.find("userns,"), std::string::npos);
  EXPECT_NE(c[0].fix.find("kernel.apparmor_restrict_unprivileged_userns=0"),
            std::string::npos);
  f.apparmor_restrict = 0;
  EXPECT_EQ(UserNamespaceChecks(f)[0].status, CheckStatus::kOk);
}

TEST(DoctorUserns, SetuidBwrapNeedsNoUserNamespaces) {
  UsernsFacts f;
  f.max_user_namespaces = 0;
  f.bwrap_setuid = true;
  EXPECT_EQ(UserNamespaceChecks(f)[0].status, CheckStatus::kOk);
}

TEST(DoctorPrint, OneLinePerCheckThenTheFixesAndTheExitStatus) {
  Checks checks{Ok("a", "fine"), Warn("b", "costly", "do b"), Fail("c", "broken", "do c")};
  char* text = nullptr;
  size_t size = 0;
  std::FILE* out = ::open_memstream(&text, &size);
  PrintChecks(out, checks);
  std::fclose(out);
  std::string printed(text, size);
  std::free(text);
  EXPECT_EQ(printed, "ok    a: fine\nwarn  b: costly\nFAIL  c: broken\n\nto fix:\n"
                     " 1. [warn] b: do b\n 2. [FAIL] c: do c\n");
  EXPECT_EQ(DoctorExitStatus(checks), 1);
  checks.pop_back();
  EXPECT_EQ(DoctorExitStatus(checks), 0);
}

TEST(DoctorWire, VllmModelListGivesIdsAndMaxModelLen) {
  ModelList l = ParseModelList(
      R"({"object":"list","data":[{"id":"a","max_model_len":4096},)"
      R"({"id":"b","max_model_len":32768}]})", "b");
  EXPECT_TRUE(l.parsed);
  EXPECT_EQ(l.ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(l.max_model_len, 32768);
  EXPECT_FALSE(ParseModelList("<html>404</html>", "b").parsed);
}

TEST(DoctorWire, ToolCallsAreSeenInBothShapes) {
  ProviderWire openai{.provider = "openai"};
  EXPECT_TRUE(ParseReply(openai, R"({"choices":[{"message":{"role":"assistant",)"
                                 R"("content":null,"tool_calls":[{"id":"1"}]}}]})")
                  .tool_call);
  ReplyFacts text = ParseReply(openai, R"({"choices":[{"message":{"content":"hi"}}],)"
                                       R"("usage":{"prompt_tokens":3,"completion_tokens":1}})");
  EXPECT_TRUE(text.parsed);
  EXPECT_FALSE(text.tool_call);
  EXPECT_EQ(text.prompt_tokens, 3);
  ProviderWire anthropic{.provider = "anthropic"};
  EXPECT_TRUE(ParseReply(anthropic, R"({"content":[{"type":"tool_use","name":"x"}]})")
                  .tool_call);
}

// --- this machine -------------------------------------------------------------

TEST(DoctorHost, ReportsThisMachineAndCanStartADevice) {
  ASSERT_EQ(::geteuid(), 0u) << "the integration tests run as root";
  double start = MonotonicSeconds();
  auto r = RunRedline("doctor");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(HasLine(r.output, "ok    privileges: root")) << r.output;
  if (PathExists("/sys/fs/cgroup/cgroup.controllers")) {
    EXPECT_TRUE(HasLine(r.output, "ok    cgroups: v2")) << r.output;
  } else {
    std::string expected = "ok    cgroups: v1 (used: ";
    for (const char* c : {"pids", "memory", "freezer"})
      if (PathExists(std::string("/sys/fs/cgroup/") + c + "/cgroup.procs"))
        expected += std::string(expected.ends_with(": ") ? "" : ", ") + c;
    EXPECT_TRUE(HasLine(r.output, expected + ";")) << expected << "\n" << r.output;
    EXPECT_EQ(r.output.find("hybrid") != std::string::npos,
              PathExists("/sys/fs/cgroup/unified/cgroup.controllers")) << r.output;
  }
  EXPECT_TRUE(HasLine(r.output, "ok    cgroup delegation: created and removed redline/"))
      << r.output;
  EXPECT_TRUE(HasLine(r.output, "ok    bubblewrap: /")) << r.output;
  EXPECT_TRUE(HasLine(r.output, "ok    bwrap sandbox: `bwrap --unshare-all")) << r.output;
  EXPECT_TRUE(HasLine(r.output, "ok    bwrap as the device user (uid 65534)")) << r.output;
  EXPECT_TRUE(HasLine(r.output, "ok    pidfd_open")) << r.output;
  EXPECT_TRUE(HasLine(r.output, "ok    helper programs")) << r.output;
  EXPECT_TRUE(HasLine(r.output, "ok    device: started a device")) << r.output;
  EXPECT_LT(MonotonicSeconds() - start, 15);
}

TEST(DoctorBuiltin, ModelOnlyChecksTheBuiltinModelAndSkipsTheHost) {
  auto r = RunRedline("doctor --model-only --model scripted/reference");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(HasLine(r.output, "ok    model: scripted/reference is built in")) << r.output;
  EXPECT_EQ(r.output.find("cgroups"), std::string::npos) << "--model-only skips the host";
}

// --- model endpoints ------------------------------------------------------------

class DoctorMock : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshDir("rl-doctor-mock");
    std::string port_file = dir_ + "/port";
    mock_ = ::fork();
    if (mock_ == 0) {
      ::execl(MOCK_BIN, MOCK_BIN, "--task", "any", "--port-file", port_file.c_str(),
              nullptr);
      ::_exit(127);
    }
    ASSERT_TRUE(WaitFor([&] { return PathExists(port_file) &&
                                     !ReadFile(port_file).empty(); }, 10));
    base_ = "http://127.0.0.1:" + std::to_string(std::stoi(ReadFile(port_file))) + "/v1";
  }
  void TearDown() override {
    ::kill(mock_, SIGTERM);
    WaitExit(mock_, 5);
    RemoveTree(dir_);
  }
  std::string dir_, base_;
  pid_t mock_ = -1;
};

TEST_F(DoctorMock, OpenAiShapePassesTheModelChecks) {
  auto r = RunRedline("doctor --model-only --model openai/mock-model --base-url " + base_);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(HasLine(r.output, "ok    endpoint: " + base_ + " answers")) << r.output;
  EXPECT_TRUE(HasLine(r.output, "ok    completion: one-token completion in ")) << r.output;
  EXPECT_TRUE(HasLine(r.output, "ok    tool calls: a tool call came back")) << r.output;
  // The MOCK has no /v1/models: said, not fatal.
  EXPECT_TRUE(HasLine(r.output, "warn  model listed: GET " + base_ + "/models gave no "
                                "model list")) << r.output;
  EXPECT_TRUE(HasLine(r.output, "warn  context length: unknown")) << r.output;
}

TEST_F(DoctorMock, AnthropicShapePassesAndTheKeyIsNeverPrinted) {
  std::string key = "sk-ant-doctor-secret-0123456789";
  ::setenv("RL_DOCTOR_KEY", key.c_str(), 1);
  auto r = RunRedline("doctor --model-only --model anthropic/mock-model --api-key-env "
                 "RL_DOCTOR_KEY --base-url " + base_);
  ::unsetenv("RL_DOCTOR_KEY");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(HasLine(r.output, "ok    api key: from $RL_DOCTOR_KEY (not shown)")) << r.output;
  EXPECT_TRUE(HasLine(r.output, "ok    auth: key accepted")) << r.output;
  EXPECT_TRUE(HasLine(r.output, "ok    completion: one-token completion")) << r.output;
  EXPECT_EQ(r.output.find(key), std::string::npos) << r.output;
  // The key did reach the server, so it was really sent.
  EXPECT_NE(ReadFile(dir_ + "/port.auth").find(key), std::string::npos);
}

// Anthropic's root as its SDK takes it (no /v1), from the flag and from
// ANTHROPIC_BASE_URL: doctor says which URL it calls and where it came from.
TEST_F(DoctorMock, AnthropicRootWithoutV1FromFlagOrVariable) {
  std::string root = base_.substr(0, base_.size() - 3);
  std::string line = "ok    base url: " + base_ + " (from %s); completions: POST " + base_ +
                     "/messages";
  auto r = RunRedline("doctor --model-only --model anthropic/mock-model --base-url " + root);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::string from_flag = line;
  from_flag.replace(from_flag.find("%s"), 2, "--base-url");
  EXPECT_TRUE(HasLine(r.output, from_flag)) << r.output;
  EXPECT_TRUE(HasLine(r.output, "ok    completion: one-token completion")) << r.output;

  ::setenv("ANTHROPIC_BASE_URL", (root + "/").c_str(), 1);
  r = RunRedline("doctor --model-only --model anthropic/mock-model");
  ::unsetenv("ANTHROPIC_BASE_URL");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::string from_variable = line;
  from_variable.replace(from_variable.find("%s"), 2, "$ANTHROPIC_BASE_URL");
  EXPECT_TRUE(HasLine(r.output, from_variable)) << r.output;
  EXPECT_TRUE(HasLine(r.output, "ok    completion: one-token completion")) << r.output;
}

TEST_F(DoctorMock, OpenAiBaseUrlVariableIsUsedWithoutTheFlag) {
  ::setenv("OPENAI_BASE_URL", base_.c_str(), 1);
  auto r = RunRedline("doctor --model-only --model openai/mock-model");
  ::unsetenv("OPENAI_BASE_URL");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(HasLine(r.output, "ok    base url: " + base_ + " (from $OPENAI_BASE_URL); "
                                "completions: POST " + base_ + "/chat/completions"))
      << r.output;
  EXPECT_TRUE(HasLine(r.output, "ok    completion: one-token completion")) << r.output;
}

int ClosedLoopbackPort() {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);  // closed when fd goes: nothing listens there
}

TEST(DoctorUnreachable, FailsFastNamingTheUrlAndConnectionRefused) {
  std::string url = "http://127.0.0.1:" + std::to_string(ClosedLoopbackPort()) + "/v1";
  double start = MonotonicSeconds();
  auto r = RunRedline("doctor --model-only --model openai/m --base-url " + url);
  double took = MonotonicSeconds() - start;
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(HasLine(r.output, "FAIL  endpoint: cannot reach " + url + "/models")) << r.output;
  EXPECT_NE(Lower(r.output).find("connection refused"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("start the model server, or fix --base-url"), std::string::npos);
  EXPECT_LT(took, 3) << r.output;
}

TEST(DoctorBadInput, OneLineAndExitTwo) {
  for (const char* args : {"--model nonsense", "--model openai/m --base-url ftp://x",
                           "--model nope/m", "--model replay//nonexistent.jsonl",
                           "--base-url http://x", "--model-only"}) {
    auto r = RunRedline(std::string("doctor ") + args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.output;
    EXPECT_TRUE(r.output.starts_with("redline doctor: ")) << args << "\n" << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << args << "\n"
                                                                      << r.output;
  }
}

// A MOCK of the server families doctor must tell apart, in this process:
// vLLM (max_model_len in /v1/models, 400 for tools without
// --enable-auto-tool-choice, 404 for an unknown model) or llama-server
// (/props n_ctx), optionally refusing requests without the right key.
class DoctorMockServer : public ::testing::Test {
 protected:
  void Start(bool llama, const std::string& key = "") {
    using nlohmann::json;
    server_.Get("/v1/models", [=](const httplib::Request& req, httplib::Response& res) {
      if (Refused(req, key, res)) return;
      json entry = {{"id", "served-a"}, {"object", "model"}};
      if (!llama) entry["max_model_len"] = 32768;
      res.set_content(json{{"object", "list"}, {"data", {entry}}}.dump(), "application/json");
    });
    server_.Get("/props", [=](const httplib::Request&, httplib::Response& res) {
      if (!llama) return void(res.status = 404);
      res.set_content(R"({"default_generation_settings":{"n_ctx":4096}})", "application/json");
    });
    server_.Post("/v1/chat/completions", [=](const httplib::Request& req,
                                             httplib::Response& res) {
      if (Refused(req, key, res)) return;
      json body = json::parse(req.body);
      if (body["model"] != "served-a") {
        res.status = 404;
        res.set_content(R"({"error":{"message":"The model does not exist."}})", "application/json");
      } else if (body.contains("tools")) {
        res.status = 400;
        res.set_content(R"({"error":{"message":"\"auto\" tool choice requires )"
                        R"(--enable-auto-tool-choice and --tool-call-parser to be set"}})",
                        "application/json");
      } else {
        res.set_content(R"({"choices":[{"message":{"role":"assistant","content":"ok"}}],)"
                        R"("usage":{"prompt_tokens":9,"completion_tokens":1}})",
                        "application/json");
      }
    });
    int port = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    base_ = "http://127.0.0.1:" + std::to_string(port) + "/v1";
  }
  static bool Refused(const httplib::Request& req, const std::string& key,
                      httplib::Response& res) {
    if (key.empty() || req.get_header_value("Authorization") == "Bearer " + key) return false;
    res.status = 401;
    res.set_content(R"({"error":{"message":"Invalid API key"}})", "application/json");
    return true;
  }
  void TearDown() override {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  httplib::Server server_;
  std::thread thread_;
  std::string base_;
};

TEST_F(DoctorMockServer, VllmWrongModelFailsListingTheServedOnes) {
  Start(false);
  auto r = RunRedline("doctor --model-only --model openai/wrong --base-url " + base_);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(HasLine(r.output, "FAIL  completion: POST " + base_ + "/chat/completions for "
                                "wrong → HTTP 404: The model does not exist.")) << r.output;
  EXPECT_TRUE(HasLine(r.output, "FAIL  model listed: wrong is not served; the server "
                                "lists: served-a")) << r.output;
  EXPECT_NE(r.output.find("--model openai/served-a"), std::string::npos) << r.output;
}

TEST_F(DoctorMockServer, VllmContextLengthAndToolFlags) {
  Start(false);
  auto r = RunRedline("doctor --model-only --model openai/served-a --base-url " + base_);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(HasLine(r.output, "ok    model listed: served-a")) << r.output;
  EXPECT_TRUE(HasLine(r.output, "ok    context length: 32768 tokens (vLLM /v1/models "
                                "max_model_len)")) << r.output;
  EXPECT_TRUE(HasLine(r.output, "warn  tool calls: refused (HTTP 400: \"auto\" tool choice "
                                "requires --enable-auto-tool-choice")) << r.output;
}

TEST_F(DoctorMockServer, LlamaServerContextFromPropsAndShortIsAWarning) {
  Start(true);
  auto r = RunRedline("doctor --model-only --model openai/served-a --base-url " + base_);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(HasLine(r.output, "warn  context length: 4096 tokens (llama-server /props)"))
      << r.output;
}

TEST_F(DoctorMockServer, RefusedKeyFailsAsAuthNamingTheVariable) {
  Start(false, "right-key");
  ::setenv("RL_DOCTOR_WRONG_KEY", "wrong-key-0123456789", 1);
  auto r = RunRedline("doctor --model-only --model openai/served-a --api-key-env "
                      "RL_DOCTOR_WRONG_KEY --base-url " + base_);
  ::unsetenv("RL_DOCTOR_WRONG_KEY");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(HasLine(r.output, "FAIL  auth: " + base_ + " refused the key: HTTP 401: "
                                "Invalid API key")) << r.output;
  EXPECT_NE(r.output.find("set RL_DOCTOR_WRONG_KEY to a valid key"), std::string::npos);
  EXPECT_EQ(r.output.find("wrong-key-0123456789"), std::string::npos) << r.output;
}

// Against a real redline-llm-server behind a real broker (LLM_STACK_BIN):
// the model list is real, so a wrong name shows what is served.
std::string Stack(const std::string& doctor_args) {
  return std::string(LLM_STACK_BIN) + " --llm-server " + LLM_SERVER_BIN + " -- " +
         REDLINE_BIN + " doctor --model-only " + doctor_args + " 2>&1";
}

testing::CommandResult RunShell(const std::string& command) {
  testing::CommandResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) result.output.append(buf, n);
  int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

TEST(DoctorLlmServer, ListedModelPassesAndAWrongNameShowsTheServedOnes) {
  auto right = RunShell(Stack("--model openai/redline-relay-test"));
  EXPECT_EQ(right.exit_code, 0) << right.output;
  EXPECT_TRUE(HasLine(right.output, "ok    model listed: redline-relay-test")) << right.output;
  EXPECT_TRUE(HasLine(right.output, "ok    completion: one-token completion")) << right.output;
  // The relay server ignores "tools" and answers in text: a warning with the
  // flags real servers need.
  EXPECT_TRUE(HasLine(right.output, "warn  tool calls: the server answered in text"))
      << right.output;
  EXPECT_NE(right.output.find("--enable-auto-tool-choice"), std::string::npos);
  EXPECT_NE(right.output.find("llama-server: add --jinja"), std::string::npos);

  auto wrong = RunShell(Stack("--model openai/gpt-nonexistent"));
  // The relay answers for any name, so this is a warning, with the list.
  EXPECT_EQ(wrong.exit_code, 0) << wrong.output;
  EXPECT_TRUE(HasLine(wrong.output, "warn  model listed: gpt-nonexistent is not listed"))
      << wrong.output;
  EXPECT_NE(wrong.output.find("it lists: redline-relay-test"), std::string::npos)
      << wrong.output;
  EXPECT_NE(wrong.output.find("--model openai/redline-relay-test"), std::string::npos)
      << wrong.output;
}

}  // namespace
}  // namespace redline
