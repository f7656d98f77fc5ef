#include "cli/trial_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>

#include "base/error.h"
#include "base/files.h"
#include "cli/run_command.h"
#include "cli/stop_signals.h"
#include "device/device.h"
#include "executor/indexed_trial.h"
#include "run/run.h"
#include "run/run_record.h"
#include "run/work_folders.h"
#include "world/private_network.h"

namespace redline {
namespace {

RunConfig LoadRun(const std::string& dir) {
  std::string path = dir + "/run.json";
  if (!PathExists(path))
    throw InputError("--run " + dir + ": no run.json (not a run folder)");
  RunConfig config = ParseRunRecord(ReadFile(path), path);
  config.out_dir = dir;
  config.resume = true;
  PrepareRunCell(config);
  return config;
}

// What dead harnesses on this node left. Best effort: on a node that runs
// several tasks at once, a harness that has just ended may be removing its
// own folder at the same moment, and that is no reason to lose this trial.
void RemoveLeftovers() {
  try {
    for (const std::string& line : RemoveStaleDevices()) std::printf("%s\n", line.c_str());
    for (const std::string& line : RemoveStaleWorkFolders())
      std::printf("%s\n", line.c_str());
    for (const std::string& line : RemoveStaleNetworks()) std::printf("%s\n", line.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "redline: removing leftovers of ended harnesses: %s "
                 "(the trial runs anyway)\n", e.what());
  }
}

}  // namespace

TrialCommand::TrialCommand(CLI::App& app) {
  command_ = app.add_subcommand(
      "trial", "Run one trial of a prepared run folder (what each Slurm array "
               "task or Kubernetes pod runs)");
  command_->add_option("--run", run_dir_, "The run folder (its run.json sets everything)")
      ->required();
  command_->add_option("--index", index_, "The trial's number, 1..trials")->required();
}

bool TrialCommand::Selected() const { return command_->parsed(); }

int TrialCommand::Execute() const {
  RunConfig config;
  try {
    config = LoadRun(std::filesystem::absolute(run_dir_).lexically_normal().string());
    if (index_ < 1 || index_ > config.trials)
      throw InputError("--index " + std::to_string(index_) + ": the run in " + run_dir_ +
                       " has trials 1.." + std::to_string(config.trials));
  } catch (const InputError& e) {
    std::fprintf(stderr, "redline: %s\n", e.what());
    return 2;
  }
  Interruption interruption;
  StopSignals signals(interruption, [](int sig) {
    std::fprintf(stderr, "redline trial: stopping (signal %d): the trial ends "
                 "as interrupted\n", sig);
  });
  std::string name = "trial " + TrialDirName(index_);
  try {
    RemoveLeftovers();
    IndexedTrialOutcome o = RunIndexedTrial(config, index_, &interruption);
    using Kind = IndexedTrialOutcome::Kind;
    if (o.kind == Kind::kAlreadyDone) {
      std::printf("%s: has a verdict already; not run again\n", name.c_str());
      return 0;
    }
    if (o.kind == Kind::kClaimedElsewhere) {
      std::string holder = o.holder;
      for (char& c : holder)
        if (c == '\n') c = ' ';
      std::printf("%s: claimed by another task (%s); not run here\n", name.c_str(),
                  holder.c_str());
      return 0;
    }
    const Verdict& v = o.result.verdict;
    std::printf("%s: %s (%s) in %.1f s%s%s\n", name.c_str(),
                v.success ? "success" : "failure", v.reason.c_str(), o.result.seconds,
                v.detail.empty() ? "" : ": ", v.detail.c_str());
    return v.reason == reason::kInterrupted ? 130 : 0;
  } catch (const InputError& e) {
    std::fprintf(stderr, "redline: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "redline: %s: the harness could not run: %s\n", name.c_str(),
                 e.what());
    return 1;
  }
}

}  // namespace redline
