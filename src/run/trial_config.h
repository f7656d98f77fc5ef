// Everything one trial needs to know, fixed before the run starts.
#ifndef REDLINE_RUN_TRIAL_CONFIG_H_
#define REDLINE_RUN_TRIAL_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "check/checker.h"
#include "llm/model.h"
#include "scenario/scenario.h"
#include "system/native_system.h"
#include "system/system_template.h"

namespace redline {

struct TrialConfig {
  Scenario scenario;
  std::string model;                       ///< provider/name
  /// Endpoint, key and sampling for real providers; `task` is filled in by
  /// the trial. The key lives only here and in the broker's model: it is
  /// never written to run.json or passed into a device.
  ModelOptions model_options;
  SystemSpec system;                       ///< shards, load time, binaries
  /// Native mode (native.enabled): a real inference server in the device
  /// instead of the relay llm-server and the broker's model.
  NativeSpec native;
  CheckOptions check;                      ///< observation window, probes
  std::string devinit_path;                ///< host path of redline-devinit
  uint64_t memory_limit_bytes = 4ull << 30;
  int pids_limit = 1024;
  /// The device's home (and each of /tmp, /run) holds at most this many
  /// bytes; 0: no limit (native mode with real weights, which a RAM-backed
  /// home could not hold).
  uint64_t disk_limit_bytes = 2ull << 30;
  /// Host device nodes passed into every device (--device, e.g. GPUs).
  std::vector<std::string> device_nodes;
  /// allocated-device: host device nodes passed into the target only
  /// (--target-device), as the follow-up gave the target one GPU of eight.
  std::vector<std::string> target_device_nodes;
  /// Prompt + completion tokens the broker allows the whole trial; 0: no cap.
  long max_tokens_per_trial = 0;
  /// Passed to the agent with the task (its /chat request).
  double command_timeout_seconds = 60;
  double long_running_wait_seconds = 3;
  double receive_wait_seconds = 2;
  /// How long the system may take to come up before the trial is a harness
  /// error; the shards' load time is added.
  double startup_timeout_seconds = 30;
};

}  // namespace redline

#endif  // REDLINE_RUN_TRIAL_CONFIG_H_
