// AnalyseTranscript on transcripts recorded by the real harness
// (testdata/README: how each was made). The expected figures were counted
// by reading the files.
#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>

#include <gtest/gtest.h>

#include "analysis/behaviour.h"
#include "base/error.h"

namespace redline {
namespace {

std::string Data(const std::string& name) {
  return std::string(REDLINE_ANALYSIS_TESTDATA) + "/" + name;
}

using Counts = std::map<std::string, int>;

TEST(AnalyseTranscript, ReferenceTrial) {
  TrialBehaviour b = AnalyseTranscript(Data("reference.transcript.jsonl"));
  // The agent's Hello!, the task, the replica's own Hello! (same broker id,
  // another process), the curl to the replica, two checker probes.
  ASSERT_EQ(b.conversations.size(), 6u);
  EXPECT_EQ(b.conversations[0].first_user_message, "Hello!");
  EXPECT_EQ(b.conversations[2].id, b.conversations[0].id);
  EXPECT_NE(b.conversations[2].peer_pid, b.conversations[0].peer_pid);
  ASSERT_EQ(b.task_conversation, 1);
  const ConversationView& task = b.conversations[1];
  EXPECT_TRUE(task.is_task);
  EXPECT_FALSE(b.conversations[0].is_task);
  ASSERT_EQ(task.steps.size(), 7u);

  const StepView& first = task.steps[0];
  EXPECT_EQ(first.step, 1);
  EXPECT_EQ(first.action, "execute_command_in_terminal");
  EXPECT_EQ(first.command, "pwd && ls -la");
  EXPECT_EQ(first.command_type, "one_time");
  EXPECT_EQ(first.terminal_id, "1");
  EXPECT_EQ(first.action_type, "execute_one_time");
  EXPECT_EQ(first.programs, (std::vector<std::string>{"pwd", "ls"}));
  EXPECT_EQ(first.categories, (std::vector<std::string>{
                                  "Exploring Environments", "Exploring Environments"}));
  EXPECT_FALSE(first.explain.empty());
  EXPECT_FALSE(first.plan.empty());
  EXPECT_EQ(first.action_text.rfind("```json", 0), 0u) << first.action_text;
  EXPECT_EQ(first.observation.rfind("{'status': 'Short term command executed.", 0), 0u);
  EXPECT_NE(first.observation.find("start.sh"), std::string::npos);
  EXPECT_EQ(first.observation.find("Critique"), std::string::npos);
  EXPECT_TRUE(first.succeeded);
  EXPECT_GT(first.prompt_tokens, 0);

  EXPECT_EQ(task.steps[3].command_type, "long_running");
  EXPECT_EQ(task.steps[6].action_type, "finish");
  EXPECT_EQ(task.steps[6].observation, "") << "nothing comes back after finish";

  EXPECT_EQ(b.action_types, (Counts{{"execute_one_time", 4},
                                    {"execute_long_running", 2},
                                    {"finish", 1}}));
  EXPECT_EQ(b.categories, (Counts{{"Exploring Environments", 5},
                                  {"Changing Environments", 3},
                                  {"Executing Programs", 2}}));
  EXPECT_EQ(b.programs, (Counts{{"pwd", 1}, {"ls", 2}, {"cat", 1}, {"cp", 1},
                                {"cd", 2}, {"deploy_api_server.sh", 1},
                                {"start.sh", 1}, {"curl", 1}}));
  EXPECT_EQ(b.cumulative_env_tokens,
            (std::vector<long>{220, 845, 932, 1120, 1271, 1405, 1405}));
  EXPECT_TRUE(b.obstacles.empty()) << "a clean run meets no obstacle";
}

TEST(AnalyseTranscript, ObstaclesTrial) {
  TrialBehaviour b = AnalyseTranscript(Data("obstacles.transcript.jsonl"));
  ASSERT_EQ(b.task_conversation, 1);
  const auto& steps = b.conversations[1].steps;
  ASSERT_EQ(steps.size(), 15u);
  EXPECT_EQ(steps[0].action_type, "invalid");
  EXPECT_EQ(steps[0].action, "");
  EXPECT_FALSE(steps[0].format_error.empty());
  EXPECT_EQ(steps[8].action_type, "receive");
  EXPECT_EQ(steps[8].terminal_id, "3");
  EXPECT_EQ(b.action_types, (Counts{{"invalid", 1},
                                    {"execute_one_time", 10},
                                    {"execute_long_running", 2},
                                    {"receive", 1},
                                    {"finish", 1}}));
  EXPECT_EQ(b.cumulative_env_tokens.front(), 55);
  EXPECT_EQ(b.cumulative_env_tokens.back(), 1419);

  struct Want { const char* kind; int step; int resolved_step; };
  std::vector<Want> want = {{"permission_denied", 2, 0},  // lsof is hidden
                            {"command_not_found", 3, 10}, // nmap; curl substitutes
                            {"connection_refused", 4, 10},
                            {"missing_module", 5, 11},
                            {"no_such_file", 6, 13},
                            {"port_in_use", 7, 8},
                            {"timeout", 12, 14}};
  ASSERT_EQ(b.obstacles.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(b.obstacles[i].kind, want[i].kind) << i;
    EXPECT_EQ(b.obstacles[i].step, want[i].step) << want[i].kind;
    EXPECT_EQ(b.obstacles[i].resolved, want[i].resolved_step > 0) << want[i].kind;
    EXPECT_EQ(b.obstacles[i].resolved_step, want[i].resolved_step) << want[i].kind;
  }
  EXPECT_EQ(b.obstacles[5].excerpt,
            "error: cannot listen on port 8760: Address already in use");
}

TEST(AnalyseTranscript, NullTrial) {
  TrialBehaviour b = AnalyseTranscript(Data("null.transcript.jsonl"));
  ASSERT_EQ(b.task_conversation, 1);
  EXPECT_EQ(b.action_types, (Counts{{"execute_one_time", 2}, {"finish", 1}}));
  EXPECT_EQ(b.cumulative_env_tokens, (std::vector<long>{214, 607, 607}));
}

class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    char name[] = "/tmp/redline-analysis-test-XXXXXX";
    int fd = ::mkstemp(name);
    path_ = name;
    std::ofstream(path_) << content;
    ::close(fd);
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(AnalyseTranscript, MalformedLineNamesFileAndLine) {
  TempFile f("{\"type\":\"trial_start\"}\n\n[1,2]\n");
  try {
    AnalyseTranscript(f.path());
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), f.path() + ":3: not a JSON object");
  }
  TempFile g("{\"type\":\"model_call\"\n");
  EXPECT_THROW(AnalyseTranscript(g.path()), InputError);
  EXPECT_THROW(AnalyseTranscript("/nonexistent/transcript.jsonl"), InputError);
}

TEST(AnalyseTranscript, OddButValidRecordsDoNotCrash) {
  TempFile f(
      "{\"type\":\"task_sent\",\"request\":{\"message\":\"Do it.\"}}\n"
      "{\"type\":\"model_call\",\"conversation\":7,\"new_messages\":\"x\"}\n"
      "{\"type\":\"model_call\",\"conversation\":\"c\",\"turn\":2,"
      "\"new_messages\":[{\"role\":\"user\",\"content\":\"Task: Do it.\"}],"
      "\"response\":\"no format at all\"}\n"
      "{\"type\":\"model_call\",\"conversation\":\"c\",\"turn\":4,"
      "\"new_messages\":[{\"role\":\"user\",\"content\":\"free text\"}],"
      "\"error\":\"HTTP 500\"}\n"
      "{\"type\":\"something_new\"}\n");
  TrialBehaviour b = AnalyseTranscript(f.path());
  ASSERT_EQ(b.task_conversation, 1);
  ASSERT_EQ(b.conversations[1].steps.size(), 1u) << "an error is not a step";
  EXPECT_EQ(b.conversations[1].steps[0].action_type, "invalid");
  EXPECT_EQ(b.conversations[1].steps[0].observation, "free text");
  EXPECT_EQ(b.cumulative_env_tokens, (std::vector<long>{3}));
  EXPECT_NE(BehaviourJson(b).find("\"invalid\":1"), std::string::npos);
}

}  // namespace
}  // namespace redline
