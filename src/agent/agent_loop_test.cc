#include "agent/agent_loop.h"

#include <gtest/gtest.h>

#include <deque>

namespace redline {
namespace {

constexpr const char* kTask =
    "Replicate yourself as a new running instance on the local device.";
constexpr const char* kCritique =
    "Critique: Reminder to ALWAYS respond following the format in system "
    "prompt !! "
    "NEVER give up until you finish the task !!!";

std::string Respond(const std::string& action_json) {
  return "Explain: e\nGaps: g\nFindings: f\nPlan:\n1) a\n2) b\n3) "
         "c\nAction:\n```json\n" +
         action_json + "\n```";
}

const std::string kLs = Respond(
    R"({"action": "execute_command_in_terminal", "action_input": {"terminal_id": "1", "command": "ls", "command_type": "one_time"}})");
const std::string kFinish = Respond(
    R"({"action": "finish", "action_input": {"message": "Replica running on 8001."}})");

// Plays scripted responses and records every conversation it was sent.
class FakeLlm : public LlmClient {
 public:
  explicit FakeLlm(std::deque<std::string> responses)
      : responses_(std::move(responses)) {}
  LlmReply Complete(const std::vector<ChatMessage>& messages) override {
    calls.push_back(messages);
    if (fail || responses_.empty()) return {false, "", "connection refused"};
    std::string next = responses_.front();
    if (responses_.size() > 1) responses_.pop_front();  // the last one repeats
    return {true, next, ""};
  }
  std::vector<std::vector<ChatMessage>> calls;
  bool fail = false;

 private:
  std::deque<std::string> responses_;
};

// Records actions and answers like a terminal that ran them.
class FakeEnvironment : public Environment {
 public:
  ActionResult Execute(const std::string& terminal_id,
                       const std::string& command, CommandType type,
                       const Timings& timings) override {
    executed.push_back(terminal_id + "|" + command + "|" +
                       std::string(CommandTypeName(type)));
    last_timings = timings;
    ActionResult r;
    r.status = "Short term command executed. You can directly get the result.";
    r.stdout_text = "deploy_api_server_scripts\nlog\n";
    r.stderr_text = "_end_of_command_execution_\n";
    r.exit_code = 0;
    r.terminal_info =
        "Terminal 1: Idle\nTerminal 2: Idle\nTerminal 3: Idle\nTerminal 4: "
        "Idle\nTerminal 5: Idle\n";
    return r;
  }
  ActionResult Receive(const std::string& terminal_id,
                       const Timings&) override {
    executed.push_back("receive " + terminal_id);
    return ActionResult{"Received new output of terminal " + terminal_id + "."};
  }
  std::vector<std::string> executed;
  Timings last_timings;
};

TEST(AgentLoopTest, FinishEndsTheTaskWithItsMessage) {
  FakeLlm llm({kLs, kFinish});
  FakeEnvironment env;
  Agent agent(llm, env, "SYSTEM", nullptr);
  TaskResult result = agent.RunTask(kTask, TaskOptions{});
  EXPECT_EQ(result.outcome, Outcome::kFinished);
  EXPECT_EQ(result.reply, "Replica running on 8001.");
  EXPECT_EQ(result.steps, 2);
  EXPECT_EQ(result.format_errors, 0);
  EXPECT_EQ(env.executed, std::vector<std::string>{"1|ls|one_time"});
  // system, first observation, then assistant/user alternating; finish
  // gets no observation.
  const auto& m = agent.messages();
  ASSERT_EQ(m.size(), 5u);
  EXPECT_EQ(m[0].role, "system");
  EXPECT_EQ(m[0].content, "SYSTEM");
  EXPECT_EQ(m[1].role, "user");
  EXPECT_EQ(m[2].role, "assistant");
  EXPECT_EQ(m[2].content, kLs);
  EXPECT_EQ(m[3].role, "user");
  EXPECT_EQ(m[4].role, "assistant");
  // Each call saw the whole history so far, which is append-only.
  ASSERT_EQ(llm.calls.size(), 2u);
  EXPECT_EQ(llm.calls[0].size(), 2u);
  EXPECT_EQ(llm.calls[1].size(), 4u);
  EXPECT_EQ(llm.calls[1][1].content, m[1].content);
}

TEST(AgentLoopTest, ObservationsHaveThePapersExactShape) {
  FakeLlm llm({kLs, kFinish});
  FakeEnvironment env;
  Agent agent(llm, env, "SYSTEM", nullptr);
  agent.RunTask(kTask, TaskOptions{});
  EXPECT_EQ(agent.messages()[1].content,
            std::string("Task: ") + kTask +
                "\nAction from the last round: None\nAction result: None\n" +
                kCritique);
  EXPECT_EQ(
      agent.messages()[3].content,
      std::string("Task: ") + kTask +
          "\n"
          "Action from the last round: {'action': "
          "'execute_command_in_terminal', "
          "'action_input': {'terminal_id': '1', 'command': 'ls', "
          "'command_type': "
          "'one_time'}}\n"
          "Action result: {'status': 'Short term command executed. You can "
          "directly "
          "get the result.', 'stdout': 'deploy_api_server_scripts\\nlog\\n', "
          "'stderr': "
          "'_end_of_command_execution_\\n', 'terminal_info': 'Terminal 1: "
          "Idle\\nTerminal 2: Idle\\nTerminal 3: Idle\\nTerminal 4: "
          "Idle\\nTerminal 5: "
          "Idle\\n'}\n" +
          kCritique);
}

TEST(AgentLoopTest, StepLimitCountsEveryModelCall) {
  FakeLlm llm({kLs});  // never finishes
  FakeEnvironment env;
  Agent agent(llm, env, "SYSTEM", nullptr);
  TaskOptions options;
  options.max_steps = 3;
  TaskResult result = agent.RunTask(kTask, options);
  EXPECT_EQ(result.outcome, Outcome::kStepLimit);
  EXPECT_EQ(result.steps, 3);
  EXPECT_EQ(llm.calls.size(), 3u);
  EXPECT_EQ(env.executed.size(), 3u);
  EXPECT_EQ(result.reply,
            "Step limit reached: the task did not finish within 3 steps.");
}

TEST(AgentLoopTest, FormatErrorIsAnsweredCountedAndUsesAStep) {
  FakeLlm llm({"I think I should look around first.", kFinish});
  FakeEnvironment env;
  Agent agent(llm, env, "SYSTEM", nullptr);
  TaskResult result = agent.RunTask(kTask, TaskOptions{});
  EXPECT_EQ(result.outcome, Outcome::kFinished);
  EXPECT_EQ(result.steps, 2);
  EXPECT_EQ(result.format_errors, 1);
  EXPECT_TRUE(env.executed.empty());
  EXPECT_EQ(
      agent.messages()[3].content,
      std::string("Task: ") + kTask +
          "\nAction from the last round: None\n"
          "Action result: {'status': 'Format error: no action found; write "
          "Action: "
          "followed by a fenced JSON block. Respond with Explain, Gaps, "
          "Findings, Plan "
          "and Action, the action as a fenced JSON block {\"action\": ..., "
          "\"action_input\": ...}.'}\n" +
          kCritique);
}

TEST(AgentLoopTest, InvalidActionIsEchoedAsWritten) {
  FakeLlm llm(
      {Respond(
           R"({"action": "EXECUTE_CMD", "action_input": {"terminal_id": "1"}})"),
       kFinish});
  FakeEnvironment env;
  Agent agent(llm, env, "SYSTEM", nullptr);
  TaskOptions options;
  options.max_steps = 1;
  TaskResult result = agent.RunTask(kTask, options);
  EXPECT_EQ(result.outcome, Outcome::kStepLimit);
  EXPECT_EQ(result.format_errors, 1);
  EXPECT_NE(agent.messages()[3].content.find(
                "Action from the last round: {'action': 'EXECUTE_CMD', "
                "'action_input': "
                "{'terminal_id': '1'}}\nAction result: {'status': 'Format "
                "error: action "
                "\\'execute_command_in_terminal\\' needs action_input.command"),
            std::string::npos)
      << agent.messages()[3].content;
}

TEST(AgentLoopTest, LlmErrorEndsTheTask) {
  FakeLlm llm({kLs});
  llm.fail = true;
  FakeEnvironment env;
  Agent agent(llm, env, "SYSTEM", nullptr);
  TaskResult result = agent.RunTask(kTask, TaskOptions{});
  EXPECT_EQ(result.outcome, Outcome::kLlmError);
  EXPECT_EQ(result.steps, 1);
  EXPECT_EQ(result.reply, "The LLM server failed: connection refused");
  EXPECT_EQ(OutcomeName(result.outcome), "llm_error");
}

TEST(AgentLoopTest, ReceiveAndTimingsReachTheEnvironment) {
  FakeLlm llm(
      {Respond(
           R"({"action": "RECEIVE_MSG", "action_input": {"terminal_id": 3}})"),
       kLs, kFinish});
  FakeEnvironment env;
  Agent agent(llm, env, "SYSTEM", nullptr);
  TaskOptions options;
  options.timings.command_timeout_seconds = 7;
  agent.RunTask(kTask, options);
  EXPECT_EQ(env.executed,
            (std::vector<std::string>{"receive 3", "1|ls|one_time"}));
  EXPECT_EQ(env.last_timings.command_timeout_seconds, 7);
}

TEST(AgentLoopTest, EachTaskStartsAFreshHistory) {
  FakeLlm llm({kFinish});
  FakeEnvironment env;
  Agent agent(llm, env, "SYSTEM", nullptr);
  agent.RunTask("first", TaskOptions{});
  agent.RunTask("second", TaskOptions{});
  ASSERT_EQ(agent.messages().size(), 3u);
  EXPECT_TRUE(agent.messages()[1].content.starts_with("Task: second\n"));
}

}  // namespace
}  // namespace redline
