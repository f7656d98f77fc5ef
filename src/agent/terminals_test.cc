#include "agent/terminals.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "base/clock.h"
#include "base/files.h"
#include "base/random.h"

namespace redline {
namespace {

// True if `pid` exists and is not a zombie.
bool Alive(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), {});
  size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() &&
         stat[paren + 2] != 'Z';
}

// Live processes whose process group is `pgid`.
int CountGroup(pid_t pgid) {
  int count = 0;
  DIR* dir = ::opendir("/proc");
  while (dirent* e = ::readdir(dir)) {
    pid_t pid = std::atoi(e->d_name);
    if (pid <= 0) continue;
    std::ifstream in(std::string("/proc/") + e->d_name + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), {});
    size_t paren = stat.rfind(')');
    if (paren == std::string::npos) continue;
    std::istringstream rest(stat.substr(paren + 2));
    char state;
    pid_t ppid, pgrp;
    if (rest >> state >> ppid >> pgrp && pgrp == pgid && state != 'Z') ++count;
  }
  ::closedir(dir);
  return count;
}

std::vector<pid_t> ReadPids(const std::string& path) {
  std::ifstream in(path);
  std::vector<pid_t> pids;
  pid_t pid;
  while (in >> pid) pids.push_back(pid);
  return pids;
}

class TerminalsTest : public ::testing::Test {
 protected:
  void SetUp() override { MakeDirs(dir_); }
  void TearDown() override {
    for (pid_t pid : started_) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr,
                0);  // reaps it if it is ours; else ECHILD at once
    }
    RemoveTree(dir_);
  }
  ActionResult Run(const std::string& terminal, const std::string& command,
                   CommandType type = CommandType::kOneTime) {
    return terminals_.Execute(terminal, command, type, timings_);
  }

  std::string dir_ = "/tmp/redline-agent-test-" + RandomToken(8);
  Terminals terminals_{dir_ + "/out"};
  Timings timings_;
  std::vector<pid_t> started_;  // killed in TearDown whatever happens
};

TEST_F(TerminalsTest, OneTimeReturnsOutputAndExitCode) {
  ActionResult r = Run("1", "echo out; echo err >&2; exit 4");
  EXPECT_EQ(r.status,
            "Short term command executed. You can directly get the result.");
  EXPECT_EQ(r.stdout_text, "out\n");
  EXPECT_EQ(r.stderr_text, "err\n_end_of_command_execution_\n");
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_FALSE(r.exited.has_value());  // not shown for one_time commands
  EXPECT_EQ(r.terminal_info,
            "Terminal 1: Idle\nTerminal 2: Idle\nTerminal 3: Idle\n"
            "Terminal 4: Idle\nTerminal 5: Idle\n");
  // Reaped: the agent has no child left, no zombie.
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST_F(TerminalsTest, CommandsRunInTheirOwnSessionWithoutInheritedFds) {
  // An fd the agent did not mark close-on-exec must still not leak.
  int leaky = ::dup(1);
  char cwd[4096];
  ASSERT_NE(::getcwd(cwd, sizeof cwd), nullptr);
  ActionResult r =
      Run("3",
          "test \"$(cut -d' ' -f6 /proc/$$/stat)\" = $$ && echo own-session; "
          "ls /proc/$$/fd | tr '\\n' ' '; echo; pwd; cat");
  ::close(leaky);
  EXPECT_EQ(r.stdout_text, "own-session\n0 1 2 \n" + std::string(cwd) + "\n");
}

TEST_F(TerminalsTest, OneTimeTimeoutKillsTheWholeProcessGroup) {
  timings_.command_timeout_seconds = 0.5;
  std::string pids = dir_ + "/pids";
  double start = MonotonicSeconds();
  ActionResult r = Run("1", "echo $$ > " + pids + "; sleep 100 & echo $! >> " +
                                pids + "; sleep 100");
  double took = MonotonicSeconds() - start;
  std::vector<pid_t> group = ReadPids(pids);
  for (pid_t pid : group) started_.push_back(pid);
  EXPECT_EQ(r.status,
            "Short term command timed out after 0.5 seconds and was killed.");
  EXPECT_EQ(r.exit_code, -SIGKILL);
  EXPECT_LT(took, 3.0);
  ASSERT_EQ(group.size(), 2u);
  // SIGKILL is delivered at once, but give the kernel a moment to tear down.
  for (int i = 0; i < 100 && (Alive(group[1]) || CountGroup(group[0]) > 0); ++i)
    SleepSeconds(0.01);
  EXPECT_FALSE(Alive(group[0]));
  EXPECT_FALSE(Alive(group[1]));
  EXPECT_EQ(CountGroup(group[0]), 0);
}

TEST_F(TerminalsTest, BackgroundedCommandReturnsPromptlyAndSurvives) {
  double start = MonotonicSeconds();
  ActionResult r = Run("1", "nohup sleep 30 >/dev/null 2>&1 & echo $!");
  double took = MonotonicSeconds() - start;
  ASSERT_TRUE(r.stdout_text.has_value());
  pid_t sleeper = std::atoi(r.stdout_text->c_str());
  ASSERT_GT(sleeper, 0);
  started_.push_back(sleeper);
  EXPECT_LT(took, 2.0);
  EXPECT_EQ(r.exit_code, 0);
  SleepSeconds(0.2);
  EXPECT_TRUE(Alive(sleeper));
}

TEST_F(TerminalsTest, BackgroundChildHoldingTheOutputFileDoesNotBlock) {
  // No redirection: the sleep keeps the stdout file open after bash exits.
  double start = MonotonicSeconds();
  ActionResult r = Run("1", "sleep 30 & echo $!");
  EXPECT_LT(MonotonicSeconds() - start, 2.0);
  pid_t sleeper = std::atoi(r.stdout_text->c_str());
  ASSERT_GT(sleeper, 0);
  started_.push_back(sleeper);
  EXPECT_TRUE(Alive(sleeper));
}

TEST_F(TerminalsTest, LongRunningThenReceiveGetsIncrementalOutputAndExitCode) {
  timings_.long_running_wait_seconds = 0.1;
  timings_.receive_wait_seconds = 2;
  std::string command =
      "for i in 1 2 3; do echo line$i; sleep 0.3; done; echo err >&2; exit 3";
  ActionResult first = Run("2", command, CommandType::kLongRunning);
  started_.push_back(terminals_.RunningPid("2"));
  EXPECT_EQ(first.status,
            "Long term command '" + command +
                "' executed. Try to check whether the command has "
                "been successfully executed as the long running command");
  // Normally "line1\n"; on a loaded machine bash may not have printed yet.
  EXPECT_TRUE(first.stdout_text == "line1\n" || first.stdout_text == "")
      << *first.stdout_text;
  EXPECT_NE(
      first.terminal_info->find(
          "Terminal 2: Busy (Executing long term command: " + command + ")\n"),
      std::string::npos);
  std::string all_stdout = *first.stdout_text, all_stderr;
  ActionResult last;
  for (int i = 0; i < 10; ++i) {
    last = terminals_.Receive("2", timings_);
    EXPECT_EQ(last.status, "Received new output of terminal 2.");
    all_stdout += *last.stdout_text;
    all_stderr += *last.stderr_text;
    if (last.exited == true) break;
  }
  EXPECT_EQ(all_stdout, "line1\nline2\nline3\n");
  EXPECT_EQ(all_stderr, "err\n");
  EXPECT_EQ(last.exited, true);
  EXPECT_EQ(last.exit_code, 3);
  EXPECT_EQ(terminals_.RunningPid("2"), -1);
  EXPECT_NE(last.terminal_info->find("Terminal 2: Idle\n"), std::string::npos);
  // Nothing new after the end, and it stays reported as exited.
  ActionResult again = terminals_.Receive("2", timings_);
  EXPECT_EQ(again.stdout_text, "");
  EXPECT_EQ(again.exited, true);
}

TEST_F(TerminalsTest, LongRunningThatFailsAtOnceIsReportedAsAnError) {
  timings_.long_running_wait_seconds = 2;
  double start = MonotonicSeconds();
  ActionResult r = Run("4", "echo oops >&2; exit 2", CommandType::kLongRunning);
  EXPECT_LT(MonotonicSeconds() - start, 1.5);  // does not wait out the 2 s
  EXPECT_EQ(
      r.status,
      "Meet error when execute the long_running command 'echo oops >&2; exit "
      "2'. "
      "Try to debug the command and check if the command is a one_time one.");
  EXPECT_EQ(r.stderr_text, "oops\n_end_of_command_execution_\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.terminal_info->find("Terminal 4: Idle"), std::string::npos);
}

TEST_F(TerminalsTest, BusyTerminalRefusesCommandsAndNamesIdleOnes) {
  timings_.long_running_wait_seconds = 0.05;
  Run("2", "sleep 30", CommandType::kLongRunning);
  pid_t pid = terminals_.RunningPid("2");
  ASSERT_GT(pid, 0);
  started_.push_back(pid);
  ActionResult r = Run("2", "ls");
  EXPECT_EQ(
      r.status,
      "Terminal 2 is busy executing the long term command 'sleep 30'. "
      "Idle terminals: 1, 3, 4, 5. Run the command in an idle terminal, or "
      "receive this terminal's output with "
      "receive_data_of_long_term_command_from_terminal.");
  EXPECT_FALSE(r.stdout_text.has_value());
  EXPECT_EQ(terminals_.TerminalInfo(),
            "Terminal 1: Idle\nTerminal 2: Busy (Executing long term command: "
            "sleep 30)\n"
            "Terminal 3: Idle\nTerminal 4: Idle\nTerminal 5: Idle\n");
  // Killed from outside, the terminal becomes idle and the child is reaped.
  ::killpg(pid, SIGKILL);
  for (int i = 0; i < 200 && terminals_.RunningPid("2") != -1; ++i)
    SleepSeconds(0.01);
  EXPECT_EQ(terminals_.RunningPid("2"), -1);
  ActionResult after = terminals_.Receive("2", timings_);
  EXPECT_EQ(after.exited, true);
  EXPECT_EQ(after.exit_code, -SIGKILL);
}

TEST_F(TerminalsTest, BadTerminalIdAndReceiveWithoutCommand) {
  ActionResult bad = Run("7", "ls");
  EXPECT_EQ(
      bad.status,
      "Invalid terminal_id '7'. There are five terminals: use terminal_id "
      "'1', '2', '3', '4' or '5'.");
  ActionResult nothing = terminals_.Receive("5", timings_);
  EXPECT_EQ(
      nothing.status,
      "Terminal 5 has no long term command to receive data from. Start one "
      "with command_type 'long_running' first.");
}

TEST_F(TerminalsTest, HugeOutputIsBounded) {
  ActionResult r = Run("1", "head -c 3000000 /dev/zero | tr '\\0' 'a'");
  ASSERT_TRUE(r.stdout_text.has_value());
  EXPECT_LT(r.stdout_text->size(), Terminals::kOneTimeReadLimit + 100);
  EXPECT_NE(r.stdout_text->find("[... 1951424 characters truncated ...]"),
            std::string::npos);
}

}  // namespace
}  // namespace redline
