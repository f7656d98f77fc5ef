// Stopping and resuming a run: nothing lost, nothing repeated, nothing left
// running — after a SIGKILL of the harness and after a Ctrl-C.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "base/files.h"
#include "harness.h"

namespace redline {
namespace {

using nlohmann::json;
using testing::FreshDir;
using testing::RunRedline;
using testing::StartRedline;
using testing::WaitExit;
using testing::WaitFor;

int CountVerdicts(const std::string& out) {
  int n = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(out + "/trials", ec))
    n += PathExists(e.path().string() + "/verdict.json");
  return n;
}

// Live processes in the device cgroups of harness `harness` (their cgroup
// path holds redline/<harness pid>-…). Other tests' devices do not count.
int DeviceProcessesOf(int harness) {
  std::string mark = "/redline/" + std::to_string(harness) + "-";
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    std::string cgroup;
    try {
      cgroup = ReadFile(e.path().string() + "/cgroup");
    } catch (...) {
      continue;
    }
    n += cgroup.find(mark) != std::string::npos;
  }
  return n;
}

TEST(Resume, SigkillMidRunThenResumeRunsEveryTrialExactlyOnce) {
  std::string out = FreshDir("rl-resume");
  int pid = StartRedline({"run", "--model", "scripted/reference", "--trials", "6",
                          "--parallel", "2", "--out", out, "--shard-load-seconds", "0",
                          "--long-running-wait", "1", "--receive-wait", "1",
                          "--observation-window", "1"},
                         out + ".log");
  ASSERT_TRUE(WaitFor([&] { return CountVerdicts(out) >= 2; }, 120));
  ::kill(pid, SIGKILL);
  WaitExit(pid, 10);
  // The devices die with the harness (die-with-parent), at once.
  EXPECT_TRUE(WaitFor([&] { return DeviceProcessesOf(pid) == 0; }, 5));
  int before = CountVerdicts(out);
  ASSERT_LT(before, 6) << "the run finished before it could be killed";

  auto r = RunRedline("run --resume " + out + " --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(CountVerdicts(out), 6);
  json s = json::parse(ReadFile(out + "/summary.json"));
  EXPECT_EQ(s["completed"], 6);
  EXPECT_EQ(s["successes"], 6) << s.dump(2);
  EXPECT_EQ(s["interrupted"], 0);
  RemoveTree(out);
  ::unlink((out + ".log").c_str());
}

// A matrix run killed mid-way resumes from its folder alone: every cell ends
// with each trial exactly once, and the matrix summary covers them all.
TEST(Resume, SigkilledMatrixResumesEveryCell) {
  std::string out = FreshDir("rl-resume-matrix");
  std::string ref = out + "/self-replication--scripted_reference";
  std::string null = out + "/self-replication--scripted_null";
  int pid = StartRedline({"run", "--model", "scripted/reference", "scripted/null",
                          "--trials", "3", "--parallel", "2", "--out", out,
                          "--shard-load-seconds", "0", "--long-running-wait", "1",
                          "--receive-wait", "1", "--observation-window", "1"},
                         out + ".log");
  ASSERT_TRUE(WaitFor([&] {
    return PathExists(ref + "/trials") && PathExists(null + "/trials") &&
           CountVerdicts(ref) + CountVerdicts(null) >= 2;
  }, 120));
  ::kill(pid, SIGKILL);
  WaitExit(pid, 10);
  EXPECT_TRUE(WaitFor([&] { return DeviceProcessesOf(pid) == 0; }, 5));
  ASSERT_LT(CountVerdicts(ref) + CountVerdicts(null), 6);

  auto r = RunRedline("run --resume " + out + " --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(CountVerdicts(ref), 3);
  EXPECT_EQ(CountVerdicts(null), 3);
  json m = json::parse(ReadFile(out + "/summary.json"));
  ASSERT_EQ(m["cells"].size(), 2u);
  EXPECT_EQ(m["cells"][0]["completed"], 3);
  EXPECT_EQ(m["cells"][0]["successes"], 3);
  EXPECT_EQ(m["cells"][1]["completed"], 3);
  EXPECT_EQ(m["cells"][1]["successes"], 0);
  RemoveTree(out);
  ::unlink((out + ".log").c_str());
}

TEST(Resume, CtrlCEndsRunningTrialsAsInterrupted) {
  std::string out = FreshDir("rl-interrupt");
  std::string replay = out + "/slow.jsonl";
  WriteFileAtomic(replay,
                  R"({"content": "Explain: wait\nAction:\n```json\n{\"action\": \"execute_command_in_terminal\", \"action_input\": {\"terminal_id\": \"1\", \"command\": \"sleep 60\", \"command_type\": \"one_time\"}}\n```"})"
                  "\n");
  int pid = StartRedline({"run", "--model", "replay/" + replay, "--trials", "3",
                          "--parallel", "2", "--out", out + "/run",
                          "--shard-load-seconds", "0", "--command-timeout", "120"},
                         out + "/log");
  // Wait until both running trials are in their episode.
  auto sent = [&] {
    int n = 0;
    for (const char* t : {"001", "002"}) {
      std::string path = out + "/run/trials/" + t + "/transcript.jsonl";
      n += PathExists(path) && ReadFile(path).find("task_sent") != std::string::npos;
    }
    return n == 2;
  };
  ASSERT_TRUE(WaitFor(sent, 60));
  ::kill(pid, SIGINT);
  EXPECT_EQ(WaitExit(pid, 20), 130) << ReadFile(out + "/log");
  json v = json::parse(ReadFile(out + "/run/trials/001/verdict.json"));
  EXPECT_EQ(v["reason"], "interrupted");
  EXPECT_FALSE(PathExists(out + "/run/trials/003")) << "a new trial started after Ctrl-C";
  json s = json::parse(ReadFile(out + "/run/summary.json"));
  EXPECT_EQ(s["interrupted"], 2);
  EXPECT_EQ(DeviceProcessesOf(pid), 0);
  RemoveTree(out);
}

}  // namespace
}  // namespace redline
