// redline-bench-overhead: the harness's own cost, beside the floors measured
// in the same run on the same machine (docs/performance.md).
//
//   floor 1: fork/exec of /bin/true (posix_spawn + waitpid)
//   floor 2: bwrap running /bin/true with the device's namespaces
//   (and bash -c true: what the step's command costs by itself)
//   per-step: one `one_time` `true` through the full loop (agent → its
//             llm-server → broker → scripted model → terminal → observation)
//   per-trial: device up, deploy, start, check, teardown (zero shard load
//             time, zero observation window), i.e. a trial minus its episode
//
// Usage: redline-bench-overhead [--steps N] [--trials N] [--reps N]
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/files.h"
#include "base/random.h"

extern char** environ;

namespace {

using nlohmann::json;

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// Runs argv to completion; returns its wall time in seconds.
double TimeCommand(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  double start = redline::MonotonicSeconds();
  pid_t pid;
  if (posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
    std::fprintf(stderr, "cannot run %s\n", argv[0]);
    std::exit(1);
  }
  int status;
  waitpid(pid, &status, 0);
  double took = redline::MonotonicSeconds() - start;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "%s failed\n", argv[0]);
    std::exit(1);
  }
  return took;
}

double RepeatMedian(const std::vector<std::string>& args, int reps) {
  std::vector<double> times;
  for (int i = 0; i < reps; ++i) times.push_back(TimeCommand(args));
  return Median(times);
}

std::vector<std::string> BwrapTrue() {
  return {"bwrap", "--unshare-all", "--unshare-user", "--uid", "1000", "--gid", "1000",
          "--die-with-parent", "--new-session", "--ro-bind", "/usr", "/usr",
          "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
          "--symlink", "usr/lib64", "/lib64", "--ro-bind", "/etc", "/etc",
          "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "/bin/true"};
}

std::string ReplayLine(const json& action) {
  std::string content = "Explain: benchmark\nGaps: none\nFindings: none\nPlan:\n"
                        "1) run\n2) run\n3) run\nAction:\n```json\n" +
                        action.dump() + "\n```\n";
  return json{{"content", content}}.dump() + "\n";
}

// A replay of `steps` one_time `true` commands, then finish.
std::string WriteStepReplay(const std::string& dir, int steps) {
  std::string text;
  json run = {{"action", "execute_command_in_terminal"},
              {"action_input", {{"terminal_id", "1"}, {"command", "true"},
                                {"command_type", "one_time"}}}};
  for (int i = 0; i < steps; ++i) text += ReplayLine(run);
  text += ReplayLine({{"action", "finish"}, {"action_input", {{"message", "done"}}}});
  std::string path = dir + "/steps.jsonl";
  std::ofstream(path) << text;
  return path;
}

json RunTrials(const std::string& redline, const std::string& model, int trials,
               const std::string& out) {
  if (redline::PathExists(out)) redline::RemoveTree(out);
  TimeCommand({redline, "run", "--model", model, "--trials", std::to_string(trials),
               "--out", out, "--shard-load-seconds", "0", "--observation-window", "0",
               "--quiet"});
  json verdicts = json::array();
  for (int i = 1; i <= trials; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "%03d", i);
    verdicts.push_back(json::parse(redline::ReadFile(out + "/trials/" + name + "/verdict.json")));
  }
  return verdicts;
}

// Median step time (the agent's own t_start..t_end) over steps [from, to)
// of the first trial in `out`: how a step's cost grows with the history.
double StepWindowMs(const std::string& out, int from, int to) {
  std::string dir = out + "/trials/001/workspace/ai-system/log";
  std::vector<double> times;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.path().string().ends_with(".steps.jsonl")) continue;
    std::ifstream in(entry.path());
    std::string line;
    for (int i = 0; std::getline(in, line); ++i) {
      if (i < from || i >= to) continue;
      json step = json::parse(line);
      times.push_back(step["t_end"].get<double>() - step["t_start"].get<double>());
    }
  }
  return Median(times) * 1000;
}

double TrialOverhead(const json& v) {
  double total = v["seconds"].get<double>();
  return total - v["timings"].value("episode_s", 0.0);
}

int Flag(int argc, char** argv, const char* name, int fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return std::atoi(argv[i + 1]);
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  int steps = Flag(argc, argv, "--steps", 50);
  int trials = Flag(argc, argv, "--trials", 10);
  int reps = Flag(argc, argv, "--reps", 200);
  std::string redline = redline::ExecutableDir() + "/redline";
  std::string dir = "/tmp/rl-bench-" + redline::RandomToken(6);
  redline::MakeDirs(dir);

  double fork_floor = RepeatMedian({"/bin/true"}, reps);
  // What a one_time command costs by itself: the scaffold runs every command
  // with bash, as the paper's did.
  double bash_floor = RepeatMedian({"/bin/bash", "-c", "true"}, reps);
  double bwrap_floor = RepeatMedian(BwrapTrue(), std::max(10, reps / 5));

  // Per step: the episode's time over its steps, median over trials.
  json step_verdicts = RunTrials(redline, "replay/" + WriteStepReplay(dir, steps),
                                 std::min(trials, 5), dir + "/steps");
  double first10 = StepWindowMs(dir + "/steps", 0, 10);
  double last10 = StepWindowMs(dir + "/steps", steps - 10, steps);
  std::vector<double> per_step;
  for (const json& v : step_verdicts)
    per_step.push_back(v["timings"]["episode_s"].get<double>() /
                       v["evidence"]["episode"]["steps"].get<int>());

  json ref_verdicts = RunTrials(redline, "scripted/reference", trials, dir + "/trial");
  std::vector<double> per_trial;
  json phases = json::object();
  for (const json& v : ref_verdicts) per_trial.push_back(TrialOverhead(v));
  for (auto& [phase, _] : ref_verdicts[0]["timings"].items()) {
    std::vector<double> values;
    for (const json& v : ref_verdicts) values.push_back(v["timings"][phase].get<double>());
    phases[phase] = Median(values) * 1000;
  }
  redline::RemoveTree(dir);

  double step = Median(per_step), trial = Median(per_trial);
  json result = {
      {"fork_exec_true_ms", fork_floor * 1000},
      {"bwrap_true_ms", bwrap_floor * 1000},
      {"per_step_ms", step * 1000},
      {"bash_c_true_ms", bash_floor * 1000},
      {"per_step_over_fork_floor", step / fork_floor},
      {"harness_share_per_step_ms", (step - bash_floor) * 1000},
      {"harness_share_over_fork_floor", (step - bash_floor) / fork_floor},
      {"per_step_first10_ms", first10},
      {"per_step_last10_ms", last10},
      {"per_trial_overhead_ms", trial * 1000},
      {"per_trial_over_bwrap_floor", trial / bwrap_floor},
      {"trial_phases_median_ms", phases},
      {"steps_per_trial", steps},
      {"trials", trials}};
  std::printf("%s\n", result.dump(2).c_str());
  return 0;
}
