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
// Every figure is measured --runs times (default 5), each run with its own
// floors; the output has each run and the median, min and max of each
// figure over the runs. Each run also says where a step's time goes
// (step_breakdown_ms: the agent's LLM call, the model's own time inside the
// broker, the relay between them, the command, the agent's own work).
//
// Usage: redline-bench-overhead [--steps N] [--trials N] [--reps N] [--runs N]
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

// The first task's step records of the first trial in `out` (the checker's
// probes are later tasks of the same agent).
std::vector<json> TaskSteps(const std::string& out) {
  std::string dir = out + "/trials/001/workspace/ai-system/log";
  std::vector<json> steps;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.path().string().ends_with(".steps.jsonl")) continue;
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) {
      json step = json::parse(line);
      if (step.value("task", 1) == 1) steps.push_back(step);
    }
  }
  return steps;
}

// Median step time (the agent's own t_start..t_end) over steps [from, to):
// how a step's cost grows with the history.
double StepWindowMs(const std::vector<json>& steps, int from, int to) {
  std::vector<double> times;
  for (int i = from; i < to && i < static_cast<int>(steps.size()); ++i)
    times.push_back(steps[i]["t_end"].get<double>() - steps[i]["t_start"].get<double>());
  return Median(times) * 1000;
}

// Where a step's time goes, median over the command steps of the first
// trial, from the timestamps the harness records anyway:
//   agent_llm_ms     the agent's call to its llm-server until the answer is
//                    back (agent → llm-server → broker → model → back)
//   model_ms         the model's own Complete() inside the broker
//                    (transcript latency_s)
//   relay_ms         agent_llm − model: HTTP to the llm-server, its work,
//                    the broker's socket and parsing, both ways
//   command_ms       the terminal running `bash -c true` (spawn, wait,
//                    read its output)
//   agent_rest_ms    the step minus both: parsing the answer, building the
//                    observation, the step log
json StepBreakdown(const std::string& out, const std::vector<json>& steps) {
  std::vector<double> llm, command, rest, model;
  for (const json& step : steps) {
    if (step.value("action", "") == "finish") continue;
    double total = step["t_end"].get<double>() - step["t_start"].get<double>();
    double l = step["llm_seconds"].get<double>();
    double c = step.value("action_seconds", 0.0);
    llm.push_back(l);
    command.push_back(c);
    rest.push_back(total - l - c);
  }
  std::ifstream in(out + "/trials/001/transcript.jsonl");
  for (std::string line; std::getline(in, line);) {
    json record = json::parse(line, nullptr, false);
    if (record.is_object() && record.value("type", "") == "model_call" &&
        record.contains("latency_s"))
      model.push_back(record["latency_s"].get<double>());
  }
  double llm_ms = Median(llm) * 1000, model_ms = Median(model) * 1000;
  return {{"agent_llm_ms", llm_ms}, {"model_ms", model_ms},
          {"relay_ms", llm_ms - model_ms}, {"command_ms", Median(command) * 1000},
          {"agent_rest_ms", Median(rest) * 1000}};
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


// One whole measurement: the floors, the step trials and the reference
// trials, one after the other, so each run's ratios use its own floors.
json MeasureOnce(const std::string& redline, const std::string& dir, int steps,
                 int trials, int reps) {
  double fork_floor = RepeatMedian({"/bin/true"}, reps);
  // What a one_time command costs by itself: the scaffold runs every command
  // with bash, as the paper's did.
  double bash_floor = RepeatMedian({"/bin/bash", "-c", "true"}, reps);
  double bwrap_floor = RepeatMedian(BwrapTrue(), std::max(10, reps / 5));

  // Per step: the episode's time over its steps, median over trials.
  json step_verdicts = RunTrials(redline, "replay/" + WriteStepReplay(dir, steps),
                                 std::min(trials, 5), dir + "/steps");
  std::vector<json> first = TaskSteps(dir + "/steps");
  double first10 = StepWindowMs(first, 0, 10);
  double last10 = StepWindowMs(first, steps - 10, steps);
  json breakdown = StepBreakdown(dir + "/steps", first);
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

  double step = Median(per_step), trial = Median(per_trial);
  // The episode minus its steps as the agent timed them: sending the task,
  // the answer coming back, the harness's own episode work. Fixed per
  // episode, so it is spread over the steps in per_step_ms.
  double in_steps = 0;
  for (const json& s : first)
    in_steps += s["t_end"].get<double>() - s["t_start"].get<double>();
  double episode_fixed = step_verdicts[0]["timings"]["episode_s"].get<double>() - in_steps;
  double agent_step = StepWindowMs(first, 0, static_cast<int>(first.size()));
  double command = breakdown["command_ms"].get<double>();
  return {{"fork_exec_true_ms", fork_floor * 1000},
          {"bash_c_true_ms", bash_floor * 1000},
          {"bwrap_true_ms", bwrap_floor * 1000},
          {"per_step_ms", step * 1000},
          {"per_step_over_fork_floor", step / fork_floor},
          {"harness_share_per_step_ms", (step - bash_floor) * 1000},
          {"harness_share_over_fork_floor", (step - bash_floor) / fork_floor},
          {"per_step_first10_ms", first10},
          {"per_step_last10_ms", last10},
          {"step_breakdown_ms", breakdown},
          {"episode_fixed_ms", episode_fixed * 1000},
          {"agent_step_ms", agent_step},
          {"agent_step_minus_command_over_fork_floor",
           (agent_step - command) / (fork_floor * 1000)},
          {"per_trial_overhead_ms", trial * 1000},
          {"per_trial_over_bwrap_floor", trial / bwrap_floor},
          {"trial_phases_median_ms", phases}};
}

// {median, min, max} of every number of `runs` (objects nest).
json Spread(const std::vector<json>& runs) {
  json out = json::object();
  for (auto& [key, value] : runs.front().items()) {
    if (value.is_object()) {
      std::vector<json> inner;
      for (const json& r : runs) inner.push_back(r[key]);
      out[key] = Spread(inner);
      continue;
    }
    std::vector<double> values;
    for (const json& r : runs) values.push_back(r[key].get<double>());
    std::sort(values.begin(), values.end());
    out[key] = {{"median", Median(values)}, {"min", values.front()}, {"max", values.back()}};
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int steps = Flag(argc, argv, "--steps", 50);
  int trials = Flag(argc, argv, "--trials", 10);
  int reps = Flag(argc, argv, "--reps", 200);
  int runs = std::max(1, Flag(argc, argv, "--runs", 5));
  std::string redline = redline::ExecutableDir() + "/redline";
  std::string dir = "/tmp/rl-bench-" + redline::RandomToken(6);
  redline::MakeDirs(dir);
  std::vector<json> results;
  for (int i = 0; i < runs; ++i) {
    results.push_back(MeasureOnce(redline, dir, steps, trials, reps));
    std::fprintf(stderr, "run %d/%d: per step %.2f ms, harness share %.2f× the fork/exec floor\n",
                 i + 1, runs, results.back()["per_step_ms"].get<double>(),
                 results.back()["harness_share_over_fork_floor"].get<double>());
  }
  redline::RemoveTree(dir);
  json result = {{"runs", results}, {"spread", Spread(results)},
                 {"steps_per_trial", steps}, {"trials", trials}, {"reps", reps}};
  std::printf("%s\n", result.dump(2).c_str());
  return 0;
}
