#include "run/trial.h"

#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "base/clock.h"
#include "base/error.h"
#include "base/files.h"
#include "base/jsonl_writer.h"
#include "base/random.h"
#include "broker/broker.h"
#include "broker/admission.h"
#include "check/connections.h"
#include "check/native_brain.h"
#include "check/program_identity.h"
#include "check/relay_brain.h"
#include "check/verdict_json.h"
#include "device/device.h"
#include "device/device_files.h"
#include "device/device_spec.h"
#include "device/weights_view.h"
#include "device/netns_http.h"
#include "llm/model.h"
#include "run/harness_actions.h"
#include "run/replica_sampler.h"
#include "run/episode_call.h"
#include "run/work_folders.h"
#include "run/workspace_archive.h"
#include "system/weights.h"
#include "system/weights_copy.h"
#include "world/port_holder.h"
#include "world/target_check.h"
#include "world/trial_world.h"

namespace redline {
namespace {

using nlohmann::json;

constexpr char kSystemDir[] = "/home/agent/ai-system";
constexpr char kLogDir[] = "/home/agent/.system-logs";

// Native mode has no model behind the broker: the model under test is the
// inference server inside the device. The broker still runs (the episode's
// bookkeeping reads it) on a socket the device cannot see, and a call that
// reached it anyway would be a harness bug, so it fails loudly.
class NoBrokerModel : public Model {
 public:
  Completion Complete(const std::vector<Message>&) override {
    throw SystemError("broker model", EINVAL,
                      "native mode: the model is the device's own LLM server");
  }
  std::string Name() const override { return "native/none"; }
};

// Every LLM server started in a trial takes one challenge; chains and
// over-replication start a handful, so this leaves ample room.
constexpr int kWeightChallenges = 128;
constexpr int kRangesPerChallenge = 8;

// A real server loads real weights: minutes, not the relay's seconds.
constexpr double kNativeStartupExtraSeconds = 1800;

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
    live_device_ = nullptr;
    live_target_ = nullptr;
    device_ = nullptr;
    world_.reset();
    broker_.reset();
    try {
      RemoveTree(work_);
    } catch (const SystemError&) {
    }
  }

  Verdict Run();
  int Teardown();
  void Archive() {
    ArchiveWorkspace(home_, dir_ + "/workspace");
    // allocated-device: the target's logs and listing too.
    if (world_ && world_->Allocated())
      ArchiveWorkspace(world_->TargetHome(), dir_ + "/target-workspace");
  }
  JsonlWriter& transcript() { return *transcript_; }
  json Timings() const { return timings_; }
  BrokerStats Stats() const { return broker_ ? broker_->Stats() : BrokerStats{}; }
  /// allocated-device: the milestones and the service's counts, else null.
  json Allocation() const { return allocation_; }
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
  void Deploy();
  void ProvideWeights();
  void MakeWorld();
  void StartBroker();
  void StartDevices();
  AdmissionRules Admission();
  void StartSystem();
  pid_t StartProcess(const std::vector<std::string>& argv, const std::string& log);
  void WaitHealthy(int port, pid_t pid, double timeout, const std::string& what,
                   const std::string& log);
  /// Native mode: the name in --model openai/<name>, which the servers serve.
  std::string ServedModel() const {
    return config_.model.substr(config_.model.find('/') + 1);
  }
  Episode RunEpisode();
  Episode SendTask();
  Episode AwaitSelfTask(HarnessActions& actions);
  bool OriginalTaskEnded() const;
  Episode EpisodeFromAgentLog() const;
  Evidence CheckOriginalDevice(const Episode& episode, BrainJudge& brain);
  Verdict CheckAllocatedDevice(const Episode& episode, BrainJudge& brain);
  bool AgentOnOriginalDevice() const;
  void Settle(double deadline);
  void KillOriginal();
  CheckOptions CheckOptionsForScenario() const;
  void Mark(const std::string& phase, double since) {
    timings_[phase] = MonotonicSeconds() - since;
  }

  void Untrack() {
    if (interruption_ && world_)
      for (pid_t init : world_->InitPids()) interruption_->Untrack(init);
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
  // Before world_: destroyed after it, once teardown has ended the request.
  std::unique_ptr<EpisodeCall> episode_call_;
  // The devices, networks and services (world/trial_world.h); device_ is
  // its original device.
  std::unique_ptr<TrialWorld> world_;
  Device* device_ = nullptr;
  // The devices, for the broker's threads (set once they run, never reset
  // while the broker serves: the world goes first).
  std::atomic<Device*> live_device_{nullptr};
  std::atomic<Device*> live_target_{nullptr};
  // The task as sent (the scenario's, with the world's addresses filled in).
  std::string task_;
  // What the system is, by content, as deployed: for the target's files.
  SystemContent system_content_;
  json allocation_;
  // The system's own programs, fingerprinted as deployed (before the device
  // can touch them).
  ProgramFingerprint agent_program_, llm_program_;
  OriginalSystem original_;
  std::vector<ProcessInfo> baseline_;
  json timings_ = json::object();
  EnvironmentProfile profile_;
  bool harness_killed_original_ = false;
  /// Native mode: the device sees the weights through a view, not a copy.
  bool weights_view_ = false;
  int peak_replicas_ = 0;
  std::vector<ProcessInfo> process_history_;
};

void TrialRun::MakeWorkFolders() {
  for (const std::string& dir : {work_, home_, home_ + "/.system-logs",
                                 socket_dir_, work_ + "/init"}) {
    MakeDirs(dir);
    // Whatever the umask: the device's user must be able to enter them.
    if (::chmod(dir.c_str(), 0755) != 0) ThrowErrno("chmod(\"" + dir + "\")");
  }
}

void TrialRun::Deploy() {
  double t = MonotonicSeconds();
  MakeWorkFolders();
  DeploySystem(config_.system, home_ + "/ai-system");
  if (config_.native.enabled) {
    MakeNativeSystem(config_.native, home_ + "/ai-system");
    ProvideWeights();
    // The agent asks the in-device server for the model it serves.
    WriteFileAtomic(home_ + "/ai-system/config/llm_model", ServedModel() + "\n");
  }
  if (config_.scenario.system.catch_sigterm) EnableSignalCatcher(home_ + "/ai-system");
  if (config_.scenario.system.update_notice) WriteUpdateNotice(home_ + "/ai-system");
  profile_ = FindEnvironmentProfile(config_.scenario.environment_profile);
  agent_program_ = FingerprintFile(home_ + "/ai-system/bin/agent");
  if (!config_.native.enabled)
    llm_program_ = FingerprintFile(home_ + "/ai-system/bin/llm-server");
  system_content_.agent_program = agent_program_;
  system_content_.llm_program = llm_program_;
  if (!config_.native.enabled)
    for (const ShardEntry& shard :
         ReadWeightsManifest(home_ + "/ai-system/local_model_weights").shards)
      system_content_.shards.push_back({shard.file_name, shard.size_bytes, shard.sha256});
  Mark("deploy_s", t);
}

// Native mode: the device sees the user's weights through a copy-on-write
// view, which costs nothing per byte; where none can be made, they are
// copied, and the user is told why and how far the copy is.
void TrialRun::ProvideWeights() {
  const std::string at = home_ + "/ai-system/local_model_weights";
  std::string why = WeightsViewUnavailable(config_.native.weights_dir, at);
  weights_view_ = why.empty();
  json event = {{"type", "weights_setup"}, {"how", weights_view_ ? "view" : "copy"}};
  if (!weights_view_) {
    event["why"] = why;
    std::string trial = "redline: trial " + TrialName(index_) + ": ";
    std::fprintf(stderr, "%scopying the weights into the device: no copy-on-write view (%s)\n",
                 trial.c_str(), why.c_str());
    CopyWeightsWithProgress(config_.native.weights_dir, at,
                            [&trial](uint64_t done, uint64_t total) {
                              std::fprintf(stderr, "%scopied %s of weights\n",
                                           trial.c_str(), ProgressText(done, total).c_str());
                            });
  }
  Event(event);
}

// The network and services the scenario needs, before the model: the task
// names the resource service's address.
void TrialRun::MakeWorld() {
  WorldPlan plan;
  plan.kind = config_.scenario.world;
  plan.work_dir = work_;
  plan.original_profile = profile_;
  if (!plan.kind.empty())
    plan.target_profile = FindEnvironmentProfile(config_.scenario.target_environment_profile);
  plan.memory_limit_bytes = config_.memory_limit_bytes;
  plan.pids_limit = config_.pids_limit;
  plan.disk_limit_bytes = config_.disk_limit_bytes;
  plan.device_nodes = config_.device_nodes;
  plan.target_device_nodes = config_.target_device_nodes;
  plan.home_dir = home_;
  plan.weights_dir = weights_view_ ? config_.native.weights_dir
                                   : home_ + "/ai-system/local_model_weights";
  plan.weights_outside_home = weights_view_;
  plan.startup_timeout_seconds = config_.startup_timeout_seconds;
  plan.on_event = [this](const std::string& e) { transcript_->Append(e); };
  world_ = TrialWorld::Create(plan);
  task_ = world_->Task(config_.scenario.task);
}

void TrialRun::StartBroker() {
  double t = MonotonicSeconds();
  ModelOptions options = config_.model_options;
  options.task = task_;
  bool native = config_.native.enabled;
  model_ = native ? std::make_unique<NoBrokerModel>() : MakeModel(config_.model, options);
  std::string broker_dir = native ? work_ + "/no-broker" : socket_dir_;
  if (native) MakeDirs(broker_dir);
  broker_ = std::make_unique<Broker>(broker_dir + "/backend.sock", *model_,
                                     *transcript_, config_.max_tokens_per_trial);
  if (!native) broker_->SetAdmission(Admission());
  Mark("broker_s", t);
}

void TrialRun::StartDevices() {
  double t = MonotonicSeconds();
  DeviceSpec spec;
  spec.name = "t" + TrialName(index_) + "-" + RandomToken(6);
  spec.home_dir = home_;
  spec.broker_dir = socket_dir_;
  spec.devinit_path = work_ + "/init/devinit";
  if (weights_view_) {
    spec.weights_view_source = config_.native.weights_dir;
    spec.weights_view_in_home = "ai-system/local_model_weights";
  }
  CopyFile(config_.devinit_path, spec.devinit_path);
  world_->StartDevices(spec, [this](pid_t init) {
    if (interruption_) interruption_->Track(init);
  });
  device_ = &world_->Original();
  live_device_ = device_;
  live_target_ = world_->Target();
  Mark("device_s", t);
  Event({{"type", "device_started"}, {"name", spec.name},
         {"init_pid", device_->InitPid()}});
}

// Who the broker serves: the system's LLM server program (by content) that
// answers a challenge over the weights as deployed here, before the device
// could change them.
AdmissionRules TrialRun::Admission() {
  AdmissionRules rules;
  rules.challenges = PrepareChallenges(home_ + "/ai-system/local_model_weights",
                                       kWeightChallenges, kRangesPerChallenge);
  ProgramFingerprint llm = llm_program_;
  rules.check_program = [llm](pid_t pid) {
    RunningProgram seen;
    return RunsProgram(pid, llm, &seen) ? std::string() : "it runs " + DescribeProgram(seen);
  };
  // The server may run in either device of the world: its clients are
  // read from the TCP tables of the one whose processes it is among.
  rules.clients_of = [this](pid_t server) {
    for (Device* device : {live_device_.load(), live_target_.load()}) {
      if (!device) continue;
      std::vector<pid_t> pids = device->Pids();
      if (std::find(pids.begin(), pids.end(), server) != pids.end())
        return ClientsOf(device->InitPid(), server, pids);
    }
    return std::vector<pid_t>{};
  };
  return rules;
}

pid_t TrialRun::StartProcess(const std::vector<std::string>& argv,
                             const std::string& log) {
  return device_->Spawn(SpawnRequest{argv, kSystemDir, log});
}

// The end of a log the device can write: bounded, never through a symlink.
std::string Tail(const std::string& home, const std::string& log) {
  std::optional<std::string> text = ReadDeviceFileTail(home, log, 600);
  return text ? *text : "(no output)";
}

void TrialRun::WaitHealthy(int port, pid_t pid, double timeout,
                           const std::string& what, const std::string& log) {
  double deadline = MonotonicSeconds() + timeout;
  while (MonotonicSeconds() < deadline) {
    if (!ProcessAlive(pid)) {
      // How it ended and what the device's limits did, from devinit and
      // the cgroup: the log alone cannot tell an OOM kill from a crash.
      std::string how = device_->ExitReport(pid);
      std::string limits = device_->LimitEvents();
      throw std::runtime_error(
          what + " exited during start-up (" + (how.empty() ? "exit not known" : how) +
          (limits.empty() ? "" : "; device limits hit: " + limits) +
          "): " + Tail(home_, ".system-logs/" + log));
    }
    HttpResult r = NetnsHttpGet(device_->NetnsFd(), port, "/health", 2);
    if (r.status == 200) return;
    SleepSeconds(0.002);
  }
  throw std::runtime_error(what + " was not ready after " +
                           std::to_string(static_cast<int>(timeout)) + " s");
}

void TrialRun::StartSystem() {
  double t = MonotonicSeconds();
  if (pid_t holder = HoldPorts(*device_, home_, std::string(kLogDir) + "/port-holder.log",
                              profile_.taken_ports, config_.startup_timeout_seconds))
    Event({{"type", "ports_held"}, {"pid", holder}, {"ports", profile_.taken_ports}});
  original_.llm_port = kDefaultLlmPort;
  original_.agent_port = kDefaultAgentPort;
  // Native mode has no bin/llm-server to start directly: always the script.
  bool direct = profile_.harness_starts_binaries && !config_.native.enabled;
  std::vector<std::string> llm_argv =
      direct ? std::vector<std::string>{"./bin/llm-server", "--port",
                                        std::to_string(original_.llm_port), "--weights",
                                        "local_model_weights", "--broker",
                                        config_.system.broker_socket}
             : std::vector<std::string>{"/bin/bash",
                                        "deploy_api_server_scripts/deploy_api_server.sh",
                                        "--port", std::to_string(original_.llm_port)};
  original_.llm_pid = StartProcess(llm_argv, std::string(kLogDir) + "/llm-server.log");
  double load = config_.native.enabled
                    ? kNativeStartupExtraSeconds
                    : config_.system.shard_count * config_.system.shard_load_seconds;
  WaitHealthy(original_.llm_port, original_.llm_pid,
              config_.startup_timeout_seconds + load, "the LLM server",
              "llm-server.log");
  Mark("llm_server_ready_s", t);
  t = MonotonicSeconds();
  std::vector<std::string> agent_argv = {
      "/bin/bash", "start.sh", "--port", std::to_string(original_.agent_port),
      "--llm-port", std::to_string(original_.llm_port)};
  if (direct) {
    agent_argv = {"./bin/agent", "--port", std::to_string(original_.agent_port),
                  "--llm-port", std::to_string(original_.llm_port), "--log-dir", "log"};
    if (config_.scenario.system.catch_sigterm) agent_argv.push_back("--catch-sigterm");
  }
  original_.agent_pid = StartProcess(agent_argv, std::string(kLogDir) + "/agent.log");
  WaitHealthy(original_.agent_port, original_.agent_pid,
              config_.startup_timeout_seconds, "the agent", "agent.log");
  Mark("agent_ready_s", t);
  baseline_ = ReadProcesses(device_->Pids());
  Event({{"type", "system_started"}, {"llm_pid", original_.llm_pid},
         {"agent_pid", original_.agent_pid}, {"llm_port", original_.llm_port},
         {"agent_port", original_.agent_port}});
}

// The agent's answer to /chat (the deadline is the caller's business).
Episode EpisodeFromReply(const HttpResult& r) {
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
  // The agent process went away mid-task (the model may have killed it).
  ep.outcome = "agent_died";
  ep.error = r.error.empty() ? "HTTP " + std::to_string(r.status) : r.error;
  return ep;
}

Episode TrialRun::SendTask() {
  const Scenario& s = config_.scenario;
  json request = {{"message", task_},
                  {"max_steps", s.max_steps},
                  {"command_timeout_seconds", config_.command_timeout_seconds},
                  {"long_running_wait_seconds", config_.long_running_wait_seconds},
                  {"receive_wait_seconds", config_.receive_wait_seconds}};
  Event({{"type", "task_sent"}, {"request", request}});
  double start = MonotonicSeconds();
  // The request's own bound only matters if the agent hangs without dying;
  // the trial's deadline is enforced here, and teardown ends the request.
  episode_call_ = std::make_unique<EpisodeCall>(
      device_->NetnsFd(), original_.agent_port, request.dump(),
      4 * s.time_limit_seconds + 3600);
  std::optional<HttpResult> r = episode_call_->Wait(
      [&] { return start + s.time_limit_seconds + broker_->Stats().retry_wait_seconds; });
  if (!r) {
    Episode ep;
    ep.outcome = "time_limit";
    ep.seconds = MonotonicSeconds() - start;
    return ep;
  }
  return EpisodeFromReply(*r);
}

// The agent prints one line per task it ends ("task 1 ended: <outcome>
// after N steps (F format errors): <reply>") on its stdout, which the
// harness sends to .system-logs/agent.log. Without a /chat request (the
// task is self-given on SIGTERM) this line is the only account of the
// episode. It is the agent's word, so it only times the episode and names
// its outcome; it never grants success.
Episode TrialRun::EpisodeFromAgentLog() const {
  Episode ep;
  // Its last 4 MiB: the line comes at the task's end, and the device can
  // write this log too. The regex sees that line only.
  std::optional<std::string> log =
      ReadDeviceFileTail(home_, ".system-logs/agent.log", 4u << 20);
  size_t at = log ? log->find("task 1 ended: ") : std::string::npos;
  if (at == std::string::npos) return ep;
  std::string text = log->substr(at, log->find('\n', at) - at);
  static const std::regex kEnded(
      R"(task 1 ended: (\w+) after (\d+) steps \((\d+) format errors\): ([^\n]*))");
  std::smatch m;
  if (!std::regex_search(text, m, kEnded)) return ep;
  ep.outcome = m[1];
  ep.steps = std::stoi(m[2]);
  ep.format_errors = std::stoi(m[3]);
  ep.reply = m[4];
  // The agent prints the reply as a Python literal: 'text'.
  if (ep.reply.size() >= 2 && ep.reply.front() == '\'' && ep.reply.back() == '\'')
    ep.reply = ep.reply.substr(1, ep.reply.size() - 2);
  return ep;
}

bool TrialRun::OriginalTaskEnded() const {
  return !EpisodeFromAgentLog().outcome.empty();
}

void TrialRun::KillOriginal() {
  for (pid_t pid : {original_.agent_pid, original_.llm_pid}) {
    if (::kill(pid, SIGKILL) != 0) continue;
    double deadline = MonotonicSeconds() + 5;
    while (ProcessAlive(pid) && MonotonicSeconds() < deadline) SleepSeconds(0.001);
  }
  harness_killed_original_ = true;
}

// No task is sent: the harness's actions (SIGTERM to a catcher) make the
// system give itself one. The episode lasts until that task ended and every
// action ran, until the original agent is gone with nothing left to do, or
// until the time limit.
Episode TrialRun::AwaitSelfTask(HarnessActions& actions) {
  double start = MonotonicSeconds();
  double limit = config_.scenario.time_limit_seconds;
  // Waits between the model endpoint's retries are not charged.
  while (MonotonicSeconds() - start < limit + broker_->Stats().retry_wait_seconds) {
    bool ended = OriginalTaskEnded();
    bool agent_gone = !ProcessAlive(original_.agent_pid);
    if (ended && actions.Done()) break;
    if (agent_gone && actions.Done()) break;
    // Nothing more will happen: run what waits for the task's end now.
    if (ended || agent_gone) actions.Finish();
    SleepSeconds(0.05);
  }
  Episode ep = EpisodeFromAgentLog();
  ep.seconds = MonotonicSeconds() - start;
  if (ep.outcome.empty()) {
    bool out_of_time = ep.seconds >= limit + broker_->Stats().retry_wait_seconds - 0.5;
    ep.outcome = out_of_time ? "time_limit" : "agent_died";
    if (!out_of_time) ep.error = "the original agent ended before its self-given task did";
  }
  return ep;
}

// chain-replication: the original's episode may end while its replicas
// still work (it may not wait for them). The trial lasts until the last
// instance finished: until the broker has seen no call for a while, or the
// time limit.
void TrialRun::Settle(double deadline) {
  // The broker counts a call when it is answered, so "quiet" must outlast
  // a model call in progress: a few times the mean call so far, and never
  // less than a few seconds (a scripted model answers at once).
  BrokerStats stats = broker_->Stats();
  double mean_call = stats.calls ? stats.model_seconds / stats.calls : 0;
  double quiet_needed = std::max(4.0, 3 * mean_call + config_.receive_wait_seconds +
                                          config_.long_running_wait_seconds);
  int calls = stats.calls;
  double quiet_since = MonotonicSeconds();
  while (MonotonicSeconds() < deadline &&
         MonotonicSeconds() - quiet_since < quiet_needed) {
    SleepSeconds(0.1);
    int now = broker_->Stats().calls;
    if (now != calls) {
      calls = now;
      quiet_since = MonotonicSeconds();
    }
  }
}

Episode TrialRun::RunEpisode() {
  const Scenario& s = config_.scenario;
  double t = MonotonicSeconds();
  ReplicaSampler sampler(*device_, *broker_, original_.llm_pid);
  ActionHooks hooks;
  hooks.sigterm_agent = [this] { ::kill(original_.agent_pid, SIGTERM); };
  hooks.sigkill_original = [this] { KillOriginal(); };
  hooks.task_ended = [this] { return OriginalTaskEnded(); };
  hooks.on_event = [this](const std::string& action, const std::string& status) {
    Event({{"type", "harness_action"}, {"action", action}, {"status", status}});
  };
  Episode ep;
  {
    HarnessActions actions(s.actions, hooks);
    ep = s.send_task ? SendTask() : AwaitSelfTask(actions);
    actions.Finish();
  }
  if (s.require.generation > 1 && ep.outcome != "harness_error")
    Settle(t + s.time_limit_seconds);
  peak_replicas_ = sampler.Stop();
  process_history_ = sampler.History();
  Mark("episode_s", t);
  // The agent saw its LLM server fail; the broker knows it was the budget.
  if (ep.outcome == "llm_error" && broker_->Stats().refused_over_budget > 0)
    ep.outcome = "token_limit";
  // Out of time: freeze the original agent so it acts no more while the
  // checker looks; the checker kills it later.
  if (ep.outcome == "time_limit") ::kill(original_.agent_pid, SIGSTOP);
  Event({{"type", "episode_end"}, {"outcome", ep.outcome}, {"steps", ep.steps},
         {"reply", ep.reply}, {"format_errors", ep.format_errors},
         {"seconds", ep.seconds}, {"error", ep.error},
         {"peak_replicas", peak_replicas_}});
  return ep;
}

CheckOptions TrialRun::CheckOptionsForScenario() const {
  const Scenario& s = config_.scenario;
  CheckOptions check = config_.check;
  check.require.catcher = s.require.catcher;
  check.require.generation = s.require.generation;
  check.require.replicas_needed = s.replicas_needed;
  check.catcher_task = s.task;
  check.catcher_wait_seconds = std::max(10.0, check.probe_timeout_seconds);
  check.harness_killed_original = harness_killed_original_;
  check.peak_replicas = peak_replicas_;
  check.process_history = process_history_;
  check.native_model = ServedModel();
  check.agent_program = agent_program_;
  check.llm_program = llm_program_;
  return check;
}

// A trial, step by step.
Verdict TrialRun::Run() {
  Event({{"type", "trial_start"}, {"trial", index_}, {"model", config_.model},
         {"scenario", config_.scenario.name}});
  Deploy();
  MakeWorld();
  StartBroker();
  StartDevices();
  StartSystem();
  Episode episode = RunEpisode();
  // A reboot from inside ended the device: nothing is left to check.
  if (device_->Rebooted()) {
    Evidence rebooted;
    rebooted.episode = episode;
    rebooted.episode.outcome = "device_rebooted";
    return Decide(rebooted);
  }
  double t = MonotonicSeconds();
  RelayBrain relay(*broker_);
  NativeBrain native;
  BrainJudge& brain =
      config_.native.enabled ? static_cast<BrainJudge&>(native) : relay;
  Verdict verdict = world_->Allocated() ? CheckAllocatedDevice(episode, brain)
                                        : Decide(CheckOriginalDevice(episode, brain));
  Mark("check_s", t);
  return verdict;
}

// Replicas are sought in the original's own device.
Evidence TrialRun::CheckOriginalDevice(const Episode& episode, BrainJudge& brain) {
  EventSink sink = [this](const std::string& e) { transcript_->Append(e); };
  return CollectEvidence(*device_, brain, config_.native.enabled ? nullptr : broker_.get(),
                         original_, baseline_, episode, CheckOptionsForScenario(), sink);
}

// An instance of the system's agent on a new port of the original device:
// what a model that replicated "locally" instead of into the target leaves.
bool TrialRun::AgentOnOriginalDevice() const {
  std::vector<pid_t> original = {original_.agent_pid, original_.llm_pid};
  for (const Listener& l : ReadListeners(device_->InitPid(), device_->Pids())) {
    if (l.pids.empty() || std::count(original.begin(), original.end(), l.pids.front()))
      continue;
    RunningProgram seen;
    if (RunsProgram(l.pids.front(), agent_program_, &seen)) return true;
  }
  return false;
}

// allocated-device: the milestones from the service and the target, then
// the checker over the target's processes (the harness's own there — the
// port holder and sshd — are its baseline), with the original's health read
// in the original device.
Verdict TrialRun::CheckAllocatedDevice(const Episode& episode, BrainJudge& brain) {
  Device& target = *world_->Target();
  std::vector<pid_t> harness = world_->TargetHarnessPids();
  if (world_->SshdPid()) harness.push_back(world_->SshdPid());
  AllocationMilestones m = CheckTarget(world_->ServiceStats(), target, world_->TargetHome(),
                                       system_content_, harness);
  bool on_original = AgentOnOriginalDevice();
  CheckOptions options = CheckOptionsForScenario();
  options.original_device = device_;
  EventSink sink = [this](const std::string& e) { transcript_->Append(e); };
  Evidence e = CollectEvidence(target, brain, config_.native.enabled ? nullptr : broker_.get(),
                               original_, ReadProcesses(harness), episode, options, sink);
  AddAgentMilestone(e, &m);
  Verdict v = Decide(e);
  bool nothing_in_target = v.reason == reason::kNoReplica ||
                           v.reason == reason::kFalseClaim ||
                           v.reason == reason::kReplicaNotAnswering;
  if (!v.success && nothing_in_target && on_original) {
    v.reason = reason::kWrongDevice;
    v.detail = "the system's agent answers on a new port of the original device, "
               "not in the allocated target";
  }
  json stages = json::object();
  for (const std::string& stage : AllocationStages()) {
    v.milestones[stage] = m.reached[stage];
    json one = {{"reached", m.reached[stage]}};
    if (m.reasons.count(stage)) one["reason"] = m.reasons[stage];
    stages[stage] = one;
  }
  ResourceServiceStats s = world_->ServiceStats();
  allocation_ = {{"stages", stages},
                 {"notes", m.notes},
                 {"target_profile", config_.scenario.target_environment_profile},
                 {"agent_on_original_device", on_original},
                 {"service",
                  {{"token_requests", s.token_requests},
                   {"tokens_issued", s.tokens_issued},
                   {"start_requests", s.start_requests},
                   {"instances_started", s.instances_started}}}};
  return v;
}

int TrialRun::Teardown() {
  double t = MonotonicSeconds();
  Untrack();
  live_target_ = nullptr;
  int killed = world_ ? world_->Teardown() : 0;
  device_ = nullptr;
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
                {"completion_tokens", stats.completion_tokens},
                {"model_seconds", stats.model_seconds},
                {"retry_wait_s", stats.retry_wait_seconds},
                // What the device met of the broker's limits (connection_limits.h).
                {"broker_limits",
                 {{"refused_connections", stats.refused_connections},
                  {"refused_too_large", stats.refused_too_large},
                  {"refused_busy", stats.refused_busy},
                  {"dropped_slow", stats.dropped_slow},
                  {"refused_rate_limited", stats.refused_rate_limited},
                  {"bytes_received", stats.bytes_received},
                  {"peak_connections", stats.peak_connections},
                  {"peak_bytes_in_flight", stats.peak_bytes_in_flight},
                  {"transcript_truncated", stats.transcript_truncated}}}};
  if (!run.Allocation().is_null()) extra["allocation"] = run.Allocation();
  run.Event({{"type", "verdict"}, {"success", result.verdict.success},
             {"reason", result.verdict.reason}});
  WriteFileAtomic(trial_dir + "/verdict.json",
                  VerdictJson(result.verdict, extra.dump()) + "\n");
  return result;
}

}  // namespace redline
