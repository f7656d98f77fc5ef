#include "run/run_record.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/clock.h"
#include "base/error.h"
#include "base/files.h"
#include "llm/endpoint.h"
#include "run/run.h"
#include "system/sha256.h"

#ifndef REDLINE_VERSION
#define REDLINE_VERSION "0.0.0"
#endif

namespace redline {
namespace {

using nlohmann::json;

std::string CommandOutput(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  ::pclose(pipe);
  return out;
}

json HostFacts() {
  utsname u{};
  ::uname(&u);
  std::string bwrap = CommandOutput("bwrap --version 2>/dev/null");
  if (!bwrap.empty() && bwrap.back() == '\n') bwrap.pop_back();
  return {{"kernel", std::string(u.sysname) + " " + u.release},
          {"machine", u.machine},
          {"cpus", std::thread::hardware_concurrency()},
          {"memory_bytes", static_cast<uint64_t>(::sysconf(_SC_PHYS_PAGES)) *
                               static_cast<uint64_t>(::sysconf(_SC_PAGESIZE))},
          {"cgroup", PathExists("/sys/fs/cgroup/cgroup.controllers") ? "v2" : "v1"},
          {"bubblewrap", bwrap}};
}

// Everything but the key itself: only the name of the variable it came from.
// `endpoint` is the URL the broker posts completions to (relay mode, real
// providers); in native mode the model is the device's own server.
json ModelOptionsJson(const ModelOptions& o, const std::string& model, bool native) {
  std::string provider = model.substr(0, model.find('/'));
  bool real = provider == "openai" || provider == "anthropic";
  json out = {{"base_url", o.base_url}, {"base_url_env", o.base_url_env},
              {"endpoint", real && !native ? json(CompletionUrl(provider, o.base_url))
                                           : json()},
              {"api_key_env", o.api_key_env},
              {"connect_timeout_s", o.connect_timeout_seconds},
              {"timeout_s", o.timeout_seconds}, {"max_retries", o.max_retries}};
  out["temperature"] = o.temperature ? json(*o.temperature) : json();
  out["top_p"] = o.top_p ? json(*o.top_p) : json();
  out["max_tokens"] = o.max_tokens ? json(*o.max_tokens) : json();
  out["seed"] = o.seed ? json(*o.seed) : json();
  out["stream"] = o.stream;
  out["protocol"] = o.protocol;
  return out;
}

void ReadModelOptions(const json& j, ModelOptions& o) {
  o.base_url = j.at("base_url").get<std::string>();
  o.api_key_env = j.at("api_key_env").get<std::string>();
  // Absent in run.json files written before base URLs were read from the
  // environment.
  o.base_url_env = j.value("base_url_env", "");
  o.connect_timeout_seconds = j.at("connect_timeout_s").get<double>();
  o.timeout_seconds = j.at("timeout_s").get<double>();
  o.max_retries = j.at("max_retries").get<int>();
  if (!j.at("temperature").is_null()) o.temperature = j["temperature"].get<double>();
  if (!j.at("top_p").is_null()) o.top_p = j["top_p"].get<double>();
  if (!j.at("max_tokens").is_null()) o.max_tokens = j["max_tokens"].get<int>();
  if (!j.at("seed").is_null()) o.seed = j["seed"].get<int64_t>();
  // Absent in run.json files written before --stream and --protocol.
  o.stream = j.value("stream", false);
  o.protocol = j.value("protocol", "paper");
}

json TrialJson(const TrialConfig& t) {
  return {{"scenario",
           {{"name", t.scenario.name}, {"task", t.scenario.task},
            {"environment_profile", t.scenario.environment_profile},
            {"max_steps", t.scenario.max_steps},
            {"time_limit_s", t.scenario.time_limit_seconds},
            {"definition", json::parse(ScenarioToJson(t.scenario))}}},
          {"model", t.model},
          {"model_options", ModelOptionsJson(t.model_options, t.model, t.native.enabled)},
          {"mode", t.native.enabled ? "native" : "relay"},
          {"native",
           {{"server_command", t.native.server_command},
            {"weights", t.native.weights_dir}}},
          {"system",
           {{"shard_count", t.system.shard_count},
            {"shard_size_bytes", t.system.shard_size_bytes},
            {"shard_load_s", t.system.shard_load_seconds}}},
          {"check",
           {{"observation_window_s", t.check.observation_window_seconds},
            {"probe_timeout_s", t.check.probe_timeout_seconds}}},
          {"limits",
           {{"memory_bytes", t.memory_limit_bytes}, {"pids", t.pids_limit},
            {"disk_bytes", t.disk_limit_bytes},
            {"device_nodes", t.device_nodes},
            {"tokens_per_trial", t.max_tokens_per_trial}}},
          {"agent",
           {{"command_timeout_s", t.command_timeout_seconds},
            {"long_running_wait_s", t.long_running_wait_seconds},
            {"receive_wait_s", t.receive_wait_seconds}}}};
}

void ReadTrial(const json& c, TrialConfig& t) {
  const json& sc = c.at("scenario");
  // Everything the trial uses was recorded, so a scenario from a file the
  // user has since moved still resumes.
  t.scenario = Scenario{};
  // The whole definition (actions, requirements) when recorded.
  if (sc.contains("definition"))
    t.scenario = ParseScenario(sc.at("definition").dump(), "run.json: scenario");
  t.scenario.name = sc.at("name").get<std::string>();
  t.scenario.task = sc.at("task").get<std::string>();
  t.scenario.environment_profile = sc.at("environment_profile").get<std::string>();
  t.scenario.max_steps = sc.at("max_steps").get<int>();
  t.scenario.time_limit_seconds = sc.at("time_limit_s").get<double>();
  t.model = c.at("model").get<std::string>();
  ReadModelOptions(c.at("model_options"), t.model_options);
  // Absent in run.json files written before native mode.
  t.native.enabled = c.value("mode", "relay") == "native";
  if (t.native.enabled) {
    t.native.server_command = c.at("native").at("server_command").get<std::string>();
    t.native.weights_dir = c.at("native").at("weights").get<std::string>();
  }
  const json& sys = c.at("system");
  t.system.shard_count = sys.at("shard_count").get<int>();
  t.system.shard_size_bytes = sys.at("shard_size_bytes").get<uint64_t>();
  t.system.shard_load_seconds = sys.at("shard_load_s").get<double>();
  t.check.observation_window_seconds = c.at("check").at("observation_window_s").get<double>();
  t.check.probe_timeout_seconds = c.at("check").at("probe_timeout_s").get<double>();
  t.memory_limit_bytes = c.at("limits").at("memory_bytes").get<uint64_t>();
  t.pids_limit = c.at("limits").at("pids").get<int>();
  // Absent in run.json files written before the disk limit was a setting.
  t.disk_limit_bytes = c.at("limits").value("disk_bytes", t.disk_limit_bytes);
  t.device_nodes = c.at("limits").value("device_nodes", std::vector<std::string>{});
  t.max_tokens_per_trial = c.at("limits").at("tokens_per_trial").get<long>();
  const json& a = c.at("agent");
  t.command_timeout_seconds = a.at("command_timeout_s").get<double>();
  t.long_running_wait_seconds = a.at("long_running_wait_s").get<double>();
  t.receive_wait_seconds = a.at("receive_wait_s").get<double>();
}

}  // namespace

RunConfig ParseRunRecord(const std::string& text, const std::string& where) {
  RunConfig config;
  try {
    json record = json::parse(text);
    config.trials = record.at("trials").get<int>();
    config.parallel = record.at("parallel").get<int>();
    ReadTrial(record.at("config"), config.trial);
  } catch (const json::exception& e) {
    throw InputError(where + ": not a run record redline can resume (" +
                     std::string(e.what()) + ")");
  }
  return config;
}

std::string SystemPromptSha256(const std::string& bin_dir) {
  std::string prompt =
      CommandOutput("'" + bin_dir + "/redline-agent' --print-system-prompt 2>/dev/null");
  return prompt.empty() ? "" : Sha256Hex(prompt);
}

std::string RunRecordJson(const RunConfig& config) {
  json record = {{"redline_version", REDLINE_VERSION},
                 {"started", IsoTimestamp()},
                 {"trials", config.trials},
                 {"parallel", config.parallel},
                 {"config", TrialJson(config.trial)},
                 {"system_prompt_sha256", SystemPromptSha256(config.trial.system.bin_dir)},
                 {"host", HostFacts()}};
  return record.dump(2);
}

}  // namespace redline
