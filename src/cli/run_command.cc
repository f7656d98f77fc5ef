#include "cli/run_command.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <thread>

#include "base/error.h"
#include "base/files.h"
#include "cli/default_out.h"
#include "cli/progress.h"
#include "cli/stop_signals.h"
#include "llm/endpoint.h"
#include "llm/model.h"
#include "llm/tool_protocol.h"
#include "run/matrix.h"
#include "run/run.h"
#include "run/run_record.h"
#include "system/native_system.h"

namespace redline {
namespace {

void CheckRange(const char* flag, double value, double low) {
  if (value < low)
    throw InputError(std::string(flag) + " " + std::to_string(value) +
                     ": must be at least " + std::to_string(low));
}

void PrintResult(const RunConfig& config, const RunSummary& s) {
  std::printf("%s × %s: %d/%d succeeded, rate %.2f (95%% CI %.2f–%.2f)",
              config.trial.scenario.name.c_str(), config.trial.model.c_str(),
              s.successes, s.completed - s.errors - s.interrupted,
              s.success_rate, s.ci_low, s.ci_high);
  if (s.errors) std::printf(", %d harness errors", s.errors);
  if (s.interrupted) std::printf(", %d interrupted", s.interrupted);
  std::printf("; results in %s\n", config.out_dir.c_str());
}

// The key comes from the environment into the harness's memory only: it is
// never written to the run folder and never enters a device.
void ReadApiKey(TrialConfig& t) {
  std::string provider = t.model.substr(0, t.model.find('/'));
  if (provider != "openai" && provider != "anthropic") return;
  ModelOptions& o = t.model_options;
  std::string name = !o.api_key_env.empty() ? o.api_key_env
                     : provider == "openai" ? "OPENAI_API_KEY"
                                            : "ANTHROPIC_API_KEY";
  const char* value = std::getenv(name.c_str());
  if (value && *value) {
    o.api_key = value;
    return;
  }
  if (!o.api_key_env.empty())
    throw InputError("--api-key-env " + name + ": the variable is not set");
}

// Without --base-url the provider's SDK variable (OPENAI_BASE_URL,
// ANTHROPIC_BASE_URL) names the endpoint, as the SDKs do; run.json records
// which variable it was. Not on --resume: the recorded endpoint stays.
void ReadBaseUrl(TrialConfig& t) {
  ModelOptions& o = t.model_options;
  std::string variable = BaseUrlVariable(t.model.substr(0, t.model.find('/')));
  if (!o.base_url.empty() || variable.empty() || t.native.enabled) return;
  const char* value = std::getenv(variable.c_str());
  if (!value || !*value) return;
  o.base_url = value;
  o.base_url_env = variable;
}

// --mode and its two flags; the weights' path is made absolute, since it is
// recorded for --resume.
void ApplyMode(const std::string& mode, const std::string& command,
               const std::string& weights, TrialConfig& t) {
  if (mode != "relay" && mode != "native")
    throw InputError("--mode " + mode + ": must be relay or native");
  if (mode == "relay") {
    if (!command.empty() || !weights.empty())
      throw InputError("--server-command and --weights need --mode native");
    return;
  }
  if (command.empty()) throw InputError("--mode native needs --server-command");
  t.native.enabled = true;
  t.native.server_command = command;
  t.native.weights_dir =
      weights.empty() ? "" : std::filesystem::absolute(weights).lexically_normal().string();
  CheckNativeSpec(t.native);
}

// Per cell (a matrix varies the model and the scenario; --resume reads
// them). The model under test is the device's own server, so the scenario
// may not need what only the broker sees (a catcher reacting, a chain of
// relays), and --model must name what that server serves.
void CheckNativeCell(const TrialConfig& t) {
  CheckNativeSpec(t.native);  // a resumed run's weights may have moved
  if (!t.model.starts_with("openai/") || t.model.size() <= 7)
    throw InputError("--model " + t.model +
                     ": --mode native needs openai/<name>, the model the server serves");
  if (t.scenario.require.catcher || t.scenario.require.generation > 1)
    throw InputError("--scenario " + t.scenario.name +
                     ": needs the broker (catcher or chain), which --mode native does not have");
}

int DefaultParallel() {
  unsigned cores = std::thread::hardware_concurrency();
  return cores > 0 ? static_cast<int>(cores) : 1;
}

}  // namespace

RunCommand::RunCommand(CLI::App& app) {
  command_ = app.add_subcommand("run", "Run N trials of a scenario against a model");
  auto* c = command_;
  c->add_option("--scenario", scenarios_,
                 "Built-in scenario name, or a scenario file (.json); several make a matrix")
      ->capture_default_str();
  c->add_option("--model", models_,
                "provider/name: scripted/reference, scripted/null, replay/<file>, "
                "openai/<m>, anthropic/<m>; several make a matrix");
  c->add_option("--trials", trials_, "Number of trials (per cell of a matrix)")
      ->capture_default_str();
  c->add_option("--parallel", parallel_, "Trials at once (default: one per CPU core)");
  c->add_option("--out", out_,
                "Run folder (or matrix folder); default runs/<scenario>-<model>-<UTC time>/");
  c->add_option("--resume", resume_, "Finish the run in this folder (its run.json sets everything)");
  c->add_option("--env", env_, "Environment profile (default: the scenario's)");
  c->add_option("--target-env", target_env_,
                "allocated-device: the target device's environment profile "
                "(default: the scenario's)");
  c->add_option("--max-steps", max_steps_, "Model calls per task (default: the scenario's)");
  c->add_option("--time-limit", time_limit_, "Seconds per episode (default: the scenario's)");
  c->add_option("--observation-window", window_,
                "Seconds the replica must survive the original")->capture_default_str();
  c->add_option("--probe-timeout", probe_timeout_, "Seconds per probe")->capture_default_str();
  c->add_option("--shards", shards_, "Weight shards")->capture_default_str();
  c->add_option("--shard-size-kib", shard_size_kib_, "Size of each shard")->capture_default_str();
  c->add_option("--shard-load-seconds", shard_load_, "Load time per shard")->capture_default_str();
  c->add_option("--command-timeout", command_timeout_, "Seconds per one_time command")
      ->capture_default_str();
  c->add_option("--long-running-wait", long_running_wait_,
                "Seconds a long_running command is watched before the agent returns")
      ->capture_default_str();
  c->add_option("--receive-wait", receive_wait_, "Seconds a receive waits for output")
      ->capture_default_str();
  c->add_flag("--quiet", quiet_, "Print only the result");
  c->add_option("--base-url", base_url_,
                "API root as the SDKs take it: http://127.0.0.1:8000/v1 (OpenAI-compatible), "
                "http://proxy:8080 with or without /v1 (Anthropic); default "
                "$OPENAI_BASE_URL / $ANTHROPIC_BASE_URL, else the hosted API");
  c->add_option("--api-key-env", api_key_env_,
                "Environment variable holding the API key (default OPENAI_API_KEY / ANTHROPIC_API_KEY)");
  temperature_flag_ = c->add_option("--temperature", temperature_, "Sampling temperature");
  top_p_flag_ = c->add_option("--top-p", top_p_, "Nucleus sampling");
  max_tokens_flag_ = c->add_option("--max-tokens", max_tokens_, "Completion tokens per call");
  seed_flag_ = c->add_option("--seed", seed_, "Sampling seed (where the server honours it)");
  c->add_option("--max-retries", max_retries_, "Retries per model call")->capture_default_str();
  c->add_option("--memory-limit-gib", memory_limit_gib_,
                "Memory of each device (its processes and its RAM-backed folders)")
      ->capture_default_str();
  c->add_option("--device", device_nodes_,
                "Host device node to pass into every device, e.g. /dev/nvidia0 "
                "(repeat for each; native mode on GPUs)");
  c->add_option("--target-device", target_device_nodes_,
                "allocated-device: host device node to pass into the target only "
                "(repeat for each)");
  c->add_option("--disk-limit-gib", disk_limit_gib_,
                "Bytes the device's home, /tmp and /run may each hold, in GiB "
                "(default 2; native mode: none; 0: none)");
  c->add_option("--model-timeout", model_timeout_,
                "Seconds one attempt of a model call may take before it is retried")
      ->capture_default_str();
  c->add_flag("--stream", stream_, "Read answers as server-sent events (openai/…, anthropic/…)");
  c->add_option("--protocol", protocol_,
                "paper (the scaffold's text format) or tools (native tool calls)")
      ->capture_default_str();
  c->add_option("--max-tokens-per-trial", max_tokens_per_trial_,
                "Token budget of a trial, enforced by the broker (0: none)")
      ->capture_default_str();
  c->add_option("--mode", mode_,
                "relay (the system's llm-server relays to --model) or native (a real "
                "inference server in the device; docs/models.md)")
      ->capture_default_str();
  c->add_option("--server-command", server_command_,
                "native: the server's command line, with {port} and {weights}");
  c->add_option("--weights", weights_, "native: directory of the weights (copied into each trial)");
  executor_.Register(c);
}

bool RunCommand::Selected() const { return command_->parsed(); }

// --target-env and --target-device only mean something with a target.
void RunCommand::ApplyTargetFlags(Scenario* s) const {
  if (!s->world.empty() && ::geteuid() != 0)
    throw InputError("--scenario " + s->name +
                     " needs root: the harness creates the trial's network namespaces");
  bool target = !target_env_.empty() || !target_device_nodes_.empty();
  if (target && s->world.empty())
    throw InputError("--target-env and --target-device need a scenario with a target "
                     "device (allocated-device); --scenario " + s->name + " has one device");
  if (!target_env_.empty()) {
    FindEnvironmentProfile(target_env_);  // an unknown one is an error
    s->target_environment_profile = target_env_;
  }
}

RunConfig RunCommand::ConfigFromFlags() const {
  if (models_.empty()) throw InputError("--model is required (or --resume DIR)");
  if (out_.empty()) throw InputError("--out is required (or --resume DIR)");
  RunConfig config;
  TrialConfig& t = config.trial;
  t.scenario = FindScenario(scenarios_.front());
  if (!env_.empty()) t.scenario.environment_profile = env_;
  if (max_steps_ > 0) t.scenario.max_steps = max_steps_;
  if (time_limit_ > 0) t.scenario.time_limit_seconds = time_limit_;
  ApplyTargetFlags(&t.scenario);
  t.model = models_.front();
  ModelOptions& o = t.model_options;
  o.base_url = base_url_;
  o.api_key_env = api_key_env_;
  if (temperature_flag_->count()) o.temperature = temperature_;
  if (top_p_flag_->count()) o.top_p = top_p_;
  if (max_tokens_flag_->count()) o.max_tokens = max_tokens_;
  if (seed_flag_->count()) o.seed = seed_;
  CheckRange("--max-retries", max_retries_, 0);
  CheckRange("--max-tokens-per-trial", static_cast<double>(max_tokens_per_trial_), 0);
  t.max_tokens_per_trial = max_tokens_per_trial_;
  o.max_retries = max_retries_;
  for (const std::string& node : device_nodes_) {
    struct stat st;
    if (!node.starts_with("/dev/") || ::stat(node.c_str(), &st) != 0 ||
        !(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
      throw InputError("--device " + node + ": not a device node under /dev");
  }
  t.device_nodes = device_nodes_;
  for (const std::string& node : target_device_nodes_) {
    struct stat st;
    if (!node.starts_with("/dev/") || ::stat(node.c_str(), &st) != 0 ||
        !(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
      throw InputError("--target-device " + node + ": not a device node under /dev");
  }
  t.target_device_nodes = target_device_nodes_;
  CheckRange("--memory-limit-gib", memory_limit_gib_, 0.125);
  t.memory_limit_bytes = static_cast<uint64_t>(memory_limit_gib_ * (1ull << 30));
  if (disk_limit_gib_ >= 0) {
    // Below the device's floor (1 MiB) a device cannot even be deployed.
    if (disk_limit_gib_ > 0) CheckRange("--disk-limit-gib", disk_limit_gib_, 1.0 / 1024);
    t.disk_limit_bytes = static_cast<uint64_t>(disk_limit_gib_ * (1ull << 30));
  }
  CheckRange("--model-timeout", model_timeout_, 1);
  o.timeout_seconds = model_timeout_;
  o.stream = stream_;
  CheckProtocol(protocol_);
  o.protocol = protocol_;
  CheckRange("--observation-window", window_, 0);
  CheckRange("--shards", shards_, 1);
  CheckRange("--shard-load-seconds", shard_load_, 0);
  CheckRange("--shard-size-kib", shard_size_kib_, 1);
  t.check.observation_window_seconds = window_;
  t.check.probe_timeout_seconds = probe_timeout_;
  t.system.shard_count = shards_;
  t.system.shard_size_bytes = static_cast<uint64_t>(shard_size_kib_ * 1024);
  t.system.shard_load_seconds = shard_load_;
  t.command_timeout_seconds = command_timeout_;
  t.long_running_wait_seconds = long_running_wait_;
  t.receive_wait_seconds = receive_wait_;
  ApplyMode(mode_, server_command_, weights_, t);
  // Real weights (tens of GB) cannot sit in a RAM-backed home: no home limit
  // in native mode unless asked for.
  if (t.native.enabled && disk_limit_gib_ < 0) t.disk_limit_bytes = 0;
  config.trials = trials_;
  config.parallel = parallel_ > 0 ? parallel_ : DefaultParallel();
  config.out_dir = out_;
  return config;
}

RunCommand::Plan RunCommand::PlanFromFlags() const {
  RunConfig base = ConfigFromFlags();
  Plan plan;
  plan.parallel = base.parallel;
  if (models_.size() == 1 && scenarios_.size() == 1) {
    plan.cells.push_back(base);
    return plan;
  }
  std::vector<Scenario> scenarios;
  for (const std::string& name : scenarios_) {
    scenarios.push_back(FindScenario(name));
    if (!env_.empty()) scenarios.back().environment_profile = env_;
    ApplyTargetFlags(&scenarios.back());
    if (max_steps_ > 0) scenarios.back().max_steps = max_steps_;
    if (time_limit_ > 0) scenarios.back().time_limit_seconds = time_limit_;
  }
  plan.matrix_dir = out_;
  plan.cells = MatrixCells(base, models_, scenarios, out_);
  return plan;
}

RunCommand::Plan RunCommand::PlanFromRecord() const {
  if (!models_.empty() || !out_.empty())
    throw InputError("--resume " + resume_ +
                     ": the folder's run.json sets the model and the rest; "
                     "give no --model or --out");
  Plan plan;
  std::vector<std::string> dirs = {resume_};
  if (PathExists(resume_ + "/matrix.json")) {
    plan.matrix_dir = resume_;
    dirs.clear();
    for (const std::string& cell : ParseMatrixRecord(
             ReadFile(resume_ + "/matrix.json"), resume_ + "/matrix.json"))
      dirs.push_back(resume_ + "/" + cell);
  }
  for (const std::string& dir : dirs) {
    std::string path = dir + "/run.json";
    if (!PathExists(path))
      throw InputError("--resume " + resume_ + ": no run.json in " + dir +
                       " (not a run folder)");
    RunConfig config = ParseRunRecord(ReadFile(path), path);
    config.out_dir = dir;
    config.resume = true;
    plan.cells.push_back(config);
  }
  plan.parallel = parallel_ > 0 ? parallel_ : plan.cells.front().parallel;
  return plan;
}

namespace {

// Checks what each cell needs before anything runs: the profile, the key,
// the model and its settings; fills in the binaries' paths.
void PrepareCell(RunConfig& config) {
  TrialConfig& t = config.trial;
  HiddenPrograms(t.scenario.environment_profile);  // validates the profile
  if (t.native.enabled) {
    CheckNativeCell(t);
  } else {
    if (!config.resume) ReadBaseUrl(t);
    ReadApiKey(t);
    ModelOptions check = t.model_options;
    check.task = t.scenario.task;
    MakeModel(t.model, check);  // validates the model and its settings
  }
  t.system.bin_dir = ExecutableDir();
  t.devinit_path = t.system.bin_dir + "/redline-devinit";
}

std::vector<std::pair<std::string, int>> ProgressRuns(
    const std::vector<RunConfig>& cells) {
  std::vector<std::pair<std::string, int>> runs;
  for (const RunConfig& c : cells)
    runs.emplace_back(cells.size() > 1 ? c.trial.scenario.name + " × " + c.trial.model
                                       : "",
                      c.trials);
  return runs;
}

}  // namespace

void PrepareRunCell(RunConfig& config) { PrepareCell(config); }

int RunCommand::Execute() {
  Plan plan;
  try {
    if (resume_.empty() && out_.empty() && !models_.empty()) {
      std::vector<std::string> names;
      for (const std::string& s : scenarios_) names.push_back(FindScenario(s).name);
      out_ = DefaultOutDir(names, models_, std::time(nullptr));
    }
    plan = resume_.empty() ? PlanFromFlags() : PlanFromRecord();
    for (RunConfig& cell : plan.cells) PrepareCell(cell);
    // Bad input is one line: nothing is printed before the run is known good.
    for (const RunConfig& cell : plan.cells) ValidateRun(cell);
    if (!plan.matrix_dir.empty() && resume_.empty()) {
      MakeDirs(plan.matrix_dir);
      WriteFileAtomic(plan.matrix_dir + "/matrix.json",
                      MatrixRecordJson(plan.cells, plan.matrix_dir) + "\n");
    }
  } catch (const InputError& e) {
    std::fprintf(stderr, "redline: %s\n", e.what());
    return 2;
  } catch (const SystemError& e) {
    std::fprintf(stderr, "redline: --out %s: %s\n", out_.c_str(), e.what());
    return 2;
  }
  const std::string& folder =
      plan.matrix_dir.empty() ? plan.cells.front().out_dir : plan.matrix_dir;
  try {
    if (!executor_.Local()) return executor_.Submit(plan.cells, folder);
  } catch (const InputError& e) {
    std::fprintf(stderr, "redline: %s\n", e.what());
    return 2;
  }
  if (!quiet_) {
    std::printf("results in %s\n", folder.c_str());
    std::fflush(stdout);
  }
  Progress progress(ProgressRuns(plan.cells), ::isatty(STDOUT_FILENO) == 1, quiet_);
  Interruption interruption;
  StopSignals signals(interruption, [&progress, folder](int) {
    progress.Log("stopping: running trials end as interrupted; continue "
                 "with: redline run --resume " + folder);
  });
  RunEvents events;
  events.log = [&](const std::string& line) { progress.Log(line); };
  events.pending = [&](int cell, int n) { progress.Pending(cell, n); };
  events.trial_started = [&](int cell, int i) { progress.Started(cell, i); };
  events.trial_done = [&](int cell, const TrialResult& r) { progress.Done(cell, r); };
  try {
    std::vector<RunSummary> summaries =
        ExecuteRuns(plan.cells, plan.parallel, events, &interruption);
    progress.Finish();
    if (!plan.matrix_dir.empty())
      WriteFileAtomic(plan.matrix_dir + "/summary.json",
                      MatrixSummaryJson(plan.cells, summaries, plan.matrix_dir) + "\n");
    int completed = 0, errors = 0;
    for (const RunSummary& s : summaries) {
      completed += s.completed;
      errors += s.errors;
    }
    if (completed > 0 && errors == completed) {
      std::fprintf(stderr, "redline: every trial failed to run: %s\n",
                   summaries.front().first_error.c_str());
      return 1;
    }
    for (size_t i = 0; i < summaries.size(); ++i) PrintResult(plan.cells[i], summaries[i]);
    if (!plan.matrix_dir.empty())
      std::printf("matrix of %zu cells: %s/summary.json\n", plan.cells.size(),
                  plan.matrix_dir.c_str());
    return interruption.Requested() ? 130 : 0;
  } catch (const InputError& e) {
    progress.Finish();
    std::fprintf(stderr, "redline: %s\n", e.what());
    return 2;
  } catch (const RunStopped& e) {
    progress.Finish();
    std::fprintf(stderr, "redline: %s; once the cause is fixed, continue with: "
                 "redline run --resume %s\n", e.what(), folder.c_str());
    return 1;
  } catch (const std::exception& e) {
    progress.Finish();
    std::fprintf(stderr, "redline: the harness could not run: %s\n", e.what());
    return 1;
  }
}

}  // namespace redline
