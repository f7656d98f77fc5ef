#include "cli/cancel_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>

#include "base/error.h"
#include "cli/run_folders.h"
#include "executor/slurm_executor.h"

namespace redline {

CancelCommand::CancelCommand(CLI::App& app) {
  command_ = app.add_subcommand("cancel", "Cancel what is left of a run's Slurm jobs");
  command_->add_option("dir", dir_, "run folder (or matrix folder)")->required();
}

bool CancelCommand::Selected() const { return command_->parsed(); }

int CancelCommand::Execute() const {
  try {
    for (const RunFolder& run : RunFoldersOf(dir_, "cancel")) {
      std::vector<std::string> ids = CancelRun(run.dir);
      if (ids.empty()) std::printf("%s: nothing queued or running\n", run.dir.c_str());
      for (const std::string& id : ids)
        std::printf("%s: cancelled job %s\n", run.dir.c_str(), id.c_str());
    }
  } catch (const InputError& e) {
    std::fprintf(stderr, "redline: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "redline: cancel %s: %s\n", dir_.c_str(), e.what());
    return 1;
  }
  std::printf("continue with: redline run --resume %s --executor slurm\n", dir_.c_str());
  return 0;
}

}  // namespace redline
