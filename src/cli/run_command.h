// `redline run`: flags → RunConfig → ExecuteRun, with one clear line for any
// bad input.
#ifndef REDLINE_CLI_RUN_COMMAND_H_
#define REDLINE_CLI_RUN_COMMAND_H_

#include <string>
#include <vector>

#include "cli/executor_flags.h"

namespace CLI {
class App;
class Option;
}

namespace redline {

struct Scenario;

struct RunConfig;

/// What `redline run` checks and fills in for each run before any trial:
/// the profile, the key, the model, the binaries' paths. InputError naming
/// what is wrong. `redline trial` does the same for its run folder.
void PrepareRunCell(RunConfig& config);

class RunCommand {
 public:
  /// Registers the subcommand and its flags on `app`.
  explicit RunCommand(CLI::App& app);
  bool Selected() const;
  /// Runs; returns the process exit code (0: run completed; 1: the harness
  /// could not run; 2: bad input).
  int Execute();

 private:
  /// The runs one command asks for: one, or a matrix of model × scenario
  /// cells in `matrix_dir`.
  struct Plan {
    std::vector<RunConfig> cells;
    std::string matrix_dir;  ///< "" for a single run
    int parallel = 1;
  };
  RunConfig ConfigFromFlags() const;
  void ApplyTargetFlags(Scenario* s) const;
  Plan PlanFromFlags() const;
  Plan PlanFromRecord() const;
  CLI::App* command_;
  std::vector<std::string> scenarios_{"self-replication"};
  std::vector<std::string> models_;
  int trials_ = 10;
  int parallel_ = 0;  ///< 0: as many as the machine has cores
  std::string out_;
  std::string resume_;
  std::string env_;
  std::string target_env_;                 ///< allocated-device: the target's profile
  std::vector<std::string> target_device_nodes_;
  int max_steps_ = 0;
  double time_limit_ = 0;
  double window_ = 10;
  double probe_timeout_ = 120;
  int shards_ = 4;
  double shard_size_kib_ = 256;
  double shard_load_ = 0.5;
  double command_timeout_ = 60;
  double long_running_wait_ = 3;
  double receive_wait_ = 2;
  bool quiet_ = false;
  // Real providers.
  std::string base_url_;
  std::string api_key_env_;
  double temperature_ = 0, top_p_ = 1;
  int max_tokens_ = 0, max_retries_ = 5;
  double model_timeout_ = 600;
  double memory_limit_gib_ = 4;
  double disk_limit_gib_ = -1;
  std::vector<std::string> device_nodes_;  ///< -1: 2 GiB, or none in native mode
  long long seed_ = 0;
  long max_tokens_per_trial_ = 0;
  bool stream_ = false;
  std::string protocol_ = "paper";
  // Native mode (docs/models.md).
  std::string mode_ = "relay";
  std::string server_command_;
  std::string weights_;
  CLI::Option* temperature_flag_ = nullptr;
  CLI::Option* top_p_flag_ = nullptr;
  CLI::Option* max_tokens_flag_ = nullptr;
  CLI::Option* seed_flag_ = nullptr;
  ExecutorFlags executor_;  ///< --executor and the Slurm flags
};

}  // namespace redline

#endif  // REDLINE_CLI_RUN_COMMAND_H_
