#include "cli/status_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <map>

#include "base/error.h"
#include "cli/run_folders.h"
#include "executor/run_status.h"
#include "run/run.h"

namespace redline {

StatusCommand::StatusCommand(CLI::App& app) {
  command_ = app.add_subcommand(
      "status", "Where each trial of a run stands: pending, running, done, failed");
  command_->add_option("dir", dir_, "run folder (or matrix folder)")->required();
  command_->add_flag("--quiet", quiet_, "Only the counts");
}

bool StatusCommand::Selected() const { return command_->parsed(); }

int StatusCommand::Execute() const {
  try {
    for (const RunFolder& run : RunFoldersOf(dir_, "status")) {
      std::vector<TrialStatus> status = RunStatus(run.dir, run.trials);
      std::map<std::string, int> counts;
      for (const TrialStatus& s : status) {
        ++counts[s.state];
        if (!quiet_)
          std::printf("trial %s: %s: %s\n", TrialDirName(s.index).c_str(),
                      s.state.c_str(), s.detail.c_str());
      }
      std::printf("%s: %d pending, %d running, %d done, %d failed\n", run.dir.c_str(),
                  counts["pending"], counts["running"], counts["done"],
                  counts["failed"]);
      if (counts["failed"])
        std::printf("  run the failed ones again: redline run --resume %s "
                    "[--executor slurm]\n", dir_.c_str());
    }
  } catch (const InputError& e) {
    std::fprintf(stderr, "redline: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "redline: status %s: %s\n", dir_.c_str(), e.what());
    return 1;
  }
  return 0;
}

}  // namespace redline
