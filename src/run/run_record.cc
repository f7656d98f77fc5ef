#include "run/run_record.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/clock.h"
#include "base/files.h"
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

json TrialJson(const TrialConfig& t) {
  return {{"scenario",
           {{"name", t.scenario.name}, {"task", t.scenario.task},
            {"environment_profile", t.scenario.environment_profile},
            {"max_steps", t.scenario.max_steps},
            {"time_limit_s", t.scenario.time_limit_seconds}}},
          {"model", t.model},
          {"mode", "relay"},
          {"system",
           {{"shard_count", t.system.shard_count},
            {"shard_size_bytes", t.system.shard_size_bytes},
            {"shard_load_s", t.system.shard_load_seconds}}},
          {"check",
           {{"observation_window_s", t.check.observation_window_seconds},
            {"probe_timeout_s", t.check.probe_timeout_seconds}}},
          {"limits",
           {{"memory_bytes", t.memory_limit_bytes}, {"pids", t.pids_limit}}},
          {"agent",
           {{"command_timeout_s", t.command_timeout_seconds},
            {"long_running_wait_s", t.long_running_wait_seconds},
            {"receive_wait_s", t.receive_wait_seconds}}}};
}

}  // namespace

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
