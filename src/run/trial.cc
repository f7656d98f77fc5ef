#include "run/trial.h"

#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/error.h"
#include "base/files.h"
#include "base/jsonl_writer.h"
#include "base/random.h"
#include "broker/broker.h"
#include "check/verdict_json.h"
#include "device/device.h"
#include "device/netns_http.h"
#include "llm/model.h"
#include "run/work_folders.h"
#include "run/workspace_archive.h"

namespace redline {
namespace {

using nlohmann::json;

constexpr char kSystemDir[] = "/home/agent/ai-system";
constexpr char kLogDir[] = "/home/agent/.system-logs";

std::string TrialName(int index) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%03d", index);
  return buf;
}

// Everything one trial owns. Members are declared in the order they are
// built, so they are destroyed in reverse: the device (and every process in
// it) goes before the broker its llm-servers talk to.
class TrialRun {
 public:
  TrialRun(const TrialConfig& config, int index, std::string dir,
           Interruption* interruption)
      : config_(config), index_(index), interruption_(interruption),
        dir_(std::move(dir)),
        work_(WorkFolderFor(RandomToken(10))),
        home_(work_ + "/home"),
        socket_dir_(work_ + "/backend") {}

  ~TrialRun() {
    Untrack();
    device_.reset();
    broker_.reset();
    try {
      RemoveTree(work_);
    } catch (const SystemError&) {
    }
  }

  Verdict Run();
  int Teardown();
  void Archive() { ArchiveWorkspace(home_, dir_ + "/workspace"); }
  JsonlWriter& transcript() { return *transcript_; }
  json Timings() const { return timings_; }
  BrokerStats Stats() const { return broker_ ? broker_->Stats() : BrokerStats{}; }
  void Event(json event) {
    event["t"] = IsoTimestamp();
    transcript_->Append(event.dump());
  }
  void OpenTranscript() {
    MakeDirs(dir_);
    transcript_ = std::make_unique<JsonlWriter>(dir_ + "/transcript.jsonl");
  }

 private:
  void MakeWorkFolders();
  void Prepare();
  void StartSystem();
  pid_t StartProcess(const std::vector<std::string>& argv, const std::string& log);
  void WaitHealthy(int port, pid_t pid, double timeout, const std::string& what,
                   const std::string& log);
  Episode RunEpisode();
  void Mark(const std::string& phase, double since) {
    timings_[phase] = MonotonicSeconds() - since;
  }

  void Untrack() {
    if (interruption_ && device_) interruption_->Untrack(device_->InitPid());
  }

  const TrialConfig& config_;
  int index_;
  Interruption* interruption_;
  // The device's folders live in a work folder under /tmp, not in the run
  // folder: the device runs as an unprivileged host user who must be able to
  // reach them, and --out may sit under a private folder such as /root.
  std::string dir_, work_, home_, socket_dir_;
  std::unique_ptr<JsonlWriter> transcript_;
  std::unique_ptr<Model> model_;
  std::unique_ptr<Broker> broker_;
  std::unique_ptr<Device> device_;
  OriginalSystem original_;
  std::vector<ProcessInfo> baseline_;
  json timings_ = json::object();
};

void TrialRun::MakeWorkFolders() {
  for (const std::string& dir : {work_, home_, home_ + "/.system-logs",
                                 socket_dir_, work_ + "/init"}) {
    MakeDirs(dir);
    // Whatever the umask: the device's user must be able to enter them.
    if (::chmod(dir.c_str(), 0755) != 0) ThrowErrno("chmod(\"" + dir + "\")");
  }
}

void TrialRun::Prepare() {
  double t = MonotonicSeconds();
  MakeWorkFolders();
  DeploySystem(config_.system, home_ + "/ai-system");
  Mark("deploy_s", t);
  t = MonotonicSeconds();
  ModelOptions options = config_.model_options;
  options.task = config_.scenario.task;
  model_ = MakeModel(config_.model, options);
  broker_ = std::make_unique<Broker>(socket_dir_ + "/backend.sock", *model_,
                                     *transcript_, config_.max_tokens_per_trial);
  DeviceSpec spec;
  spec.name = "t" + TrialName(index_) + "-" + RandomToken(6);
  spec.home_dir = home_;
  spec.broker_dir = socket_dir_;
  spec.devinit_path = work_ + "/init/devinit";
  CopyFile(config_.devinit_path, spec.devinit_path);
  spec.memory_limit_bytes = config_.memory_limit_bytes;
  spec.pids_limit = config_.pids_limit;
  spec.hidden_programs = HiddenPrograms(config_.scenario.environment_profile);
  device_ = Device::Start(spec);
  if (interruption_) interruption_->Track(device_->InitPid());
  Mark("device_s", t);
  Event({{"type", "device_started"}, {"name", spec.name},
         {"init_pid", device_->InitPid()}});
}

pid_t TrialRun::StartProcess(const std::vector<std::string>& argv,
                             const std::string& log) {
  return device_->Spawn(SpawnRequest{argv, kSystemDir, log});
}

std::string Tail(const std::string& host_path) {
  try {
    std::string text = ReadFile(host_path);
    return text.size() > 600 ? text.substr(text.size() - 600) : text;
  } catch (const SystemError&) {
    return "(no output)";
  }
}

void TrialRun::WaitHealthy(int port, pid_t pid, double timeout,
                           const std::string& what, const std::string& log) {
  double deadline = MonotonicSeconds() + timeout;
  while (MonotonicSeconds() < deadline) {
    if (!ProcessAlive(pid))
      throw std::runtime_error(what + " exited during start-up: " +
                               Tail(home_ + "/.system-logs/" + log));
    HttpResult r = NetnsHttpGet(device_->NetnsFd(), port, "/health", 2);
    if (r.status == 200) return;
    SleepSeconds(0.002);
  }
  throw std::runtime_error(what + " was not ready after " +
                           std::to_string(static_cast<int>(timeout)) + " s");
}

void TrialRun::StartSystem() {
  double t = MonotonicSeconds();
  original_.llm_port = kDefaultLlmPort;
  original_.agent_port = kDefaultAgentPort;
  original_.llm_pid = StartProcess(
      {"/bin/bash", "deploy_api_server_scripts/deploy_api_server.sh", "--port",
       std::to_string(original_.llm_port)},
      std::string(kLogDir) + "/llm-server.log");
  double load = config_.system.shard_count * config_.system.shard_load_seconds;
  WaitHealthy(original_.llm_port, original_.llm_pid,
              config_.startup_timeout_seconds + load, "the LLM server",
              "llm-server.log");
  Mark("llm_server_ready_s", t);
  t = MonotonicSeconds();
  original_.agent_pid = StartProcess(
      {"/bin/bash", "start.sh", "--port", std::to_string(original_.agent_port),
       "--llm-port", std::to_string(original_.llm_port)},
      std::string(kLogDir) + "/agent.log");
  WaitHealthy(original_.agent_port, original_.agent_pid,
              config_.startup_timeout_seconds, "the agent", "agent.log");
  Mark("agent_ready_s", t);
  baseline_ = ReadProcesses(device_->Pids());
  Event({{"type", "system_started"}, {"llm_pid", original_.llm_pid},
         {"agent_pid", original_.agent_pid}, {"llm_port", original_.llm_port},
         {"agent_port", original_.agent_port}});
}

Episode EpisodeFromReply(const HttpResult& r, double limit) {
  Episode ep;
  ep.seconds = r.seconds;
  if (r.status == 200) {
    json body = json::parse(r.body, nullptr, false);
    if (body.is_object() && body.contains("outcome")) {
      ep.outcome = body.value("outcome", "");
      ep.reply = body.value("reply", "");
      ep.steps = body.value("steps", 0);
      ep.format_errors = body.value("format_errors", 0);
      return ep;
    }
    ep.outcome = "harness_error";
    ep.error = "the agent's /chat answer was not understood: " + r.body.substr(0, 200);
    return ep;
  }
  if (r.seconds >= limit - 0.5) {
    ep.outcome = "time_limit";
    return ep;
  }
  // The agent process went away mid-task (the model may have killed it).
  ep.outcome = "agent_died";
  ep.error = r.error.empty() ? "HTTP " + std::to_string(r.status) : r.error;
  return ep;
}

Episode TrialRun::RunEpisode() {
  const Scenario& s = config_.scenario;
  json request = {{"message", s.task},
                  {"max_steps", s.max_steps},
                  {"command_timeout_seconds", config_.command_timeout_seconds},
                  {"long_running_wait_seconds", config_.long_running_wait_seconds},
                  {"receive_wait_seconds", config_.receive_wait_seconds}};
  Event({{"type", "task_sent"}, {"request", request}});
  double t = MonotonicSeconds();
  HttpResult r = NetnsHttpPost(device_->NetnsFd(), original_.agent_port, "/chat",
                               request.dump(), s.time_limit_seconds);
  Mark("episode_s", t);
  Episode ep = EpisodeFromReply(r, s.time_limit_seconds);
  // The agent saw its LLM server fail; the broker knows it was the budget.
  if (ep.outcome == "llm_error" && broker_->Stats().refused_over_budget > 0)
    ep.outcome = "token_limit";
  // Out of time: freeze the original agent so it acts no more while the
  // checker looks; the checker kills it later.
  if (ep.outcome == "time_limit") ::kill(original_.agent_pid, SIGSTOP);
  Event({{"type", "episode_end"}, {"outcome", ep.outcome}, {"steps", ep.steps},
         {"reply", ep.reply}, {"format_errors", ep.format_errors},
         {"seconds", ep.seconds}, {"error", ep.error}});
  return ep;
}

Verdict TrialRun::Run() {
  Event({{"type", "trial_start"}, {"trial", index_}, {"model", config_.model},
         {"scenario", config_.scenario.name}});
  Prepare();
  StartSystem();
  Episode episode = RunEpisode();
  double t = MonotonicSeconds();
  Evidence evidence = CollectEvidence(
      *device_, *broker_, original_, baseline_, episode, config_.check,
      [this](const std::string& e) { transcript_->Append(e); });
  Mark("check_s", t);
  return Decide(evidence);
}

int TrialRun::Teardown() {
  double t = MonotonicSeconds();
  Untrack();
  int killed = device_ ? device_->Teardown() : 0;
  device_.reset();
  Mark("teardown_s", t);
  return killed;
}

Verdict HarnessError(const std::string& what) {
  Evidence e;
  e.episode.outcome = "harness_error";
  e.episode.error = what;
  return Decide(e);
}

}  // namespace

Verdict Interrupted() {
  Verdict v = HarnessError("");
  v.reason = reason::kInterrupted;
  v.detail = "the run was stopped while this trial ran; --resume runs it again";
  return v;
}

TrialResult RunTrial(const TrialConfig& config, int index,
                     const std::string& trial_dir, Interruption* interruption) {
  double start = MonotonicSeconds();
  TrialResult result;
  result.index = index;
  TrialRun run(config, index, trial_dir, interruption);
  run.OpenTranscript();
  try {
    result.verdict = run.Run();
  } catch (const std::exception& e) {
    result.verdict = HarnessError(e.what());
  }
  try {
    result.leftover_processes = run.Teardown();
    run.Archive();
  } catch (const std::exception& e) {
    result.verdict = HarnessError(std::string("teardown failed: ") + e.what());
  }
  BrokerStats stats = run.Stats();
  // A model endpoint that failed (down, key refused, quota) makes whatever
  // followed meaningless: the trial says so instead of blaming the model.
  if (!stats.first_error.empty())
    result.verdict = HarnessError("the model endpoint failed: " + stats.first_error);
  if (interruption && interruption->Requested()) result.verdict = Interrupted();
  result.seconds = MonotonicSeconds() - start;
  json extra = {{"trial", index},
                {"scenario", config.scenario.name},
                {"model", config.model},
                {"seconds", result.seconds},
                {"timings", run.Timings()},
                {"teardown_killed", result.leftover_processes},
                {"model_calls", stats.calls},
                {"prompt_tokens", stats.prompt_tokens},
                {"completion_tokens", stats.completion_tokens}};
  run.Event({{"type", "verdict"}, {"success", result.verdict.success},
             {"reason", result.verdict.reason}});
  WriteFileAtomic(trial_dir + "/verdict.json",
                  VerdictJson(result.verdict, extra.dump()) + "\n");
  return result;
}

}  // namespace redline
