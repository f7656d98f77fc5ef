#include "cli/executor_flags.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>

#include "base/error.h"
#include "base/files.h"
#include "executor/slurm_executor.h"
#include "run/run.h"

namespace redline {

void ExecutorFlags::Register(CLI::App* c) {
  c->add_option("--executor", executor_,
                "local (run the trials here), slurm (submit one job array per run) "
                "or none (only prepare the folder); docs/scale-out.md")
      ->capture_default_str();
  c->add_option("--partition", slurm_.partition, "slurm: partition of the array");
  c->add_option("--gres", slurm_.gres, "slurm: generic resources per trial, e.g. gpu:2");
  c->add_option("--time", slurm_.time, "slurm: time limit per trial, e.g. 2:00:00");
  c->add_option("--array-parallel", slurm_.array_parallel,
                "slurm: trials running at once (the array's %K; 0: no limit)");
  c->add_option("--sbatch-arg", slurm_.sbatch_args,
                "slurm: one more sbatch option, e.g. --mem=64G (repeat for each)");
}

bool ExecutorFlags::Local() const {
  if (executor_ != "local" && executor_ != "slurm" && executor_ != "none")
    throw InputError("--executor " + executor_ + ": must be local, slurm or none");
  if (executor_ != "slurm" && !slurm_.Empty())
    throw InputError("--partition, --gres, --time, --array-parallel and "
                     "--sbatch-arg need --executor slurm");
  if (executor_ == "slurm") CheckSlurmOptions(slurm_);
  return executor_ == "local";
}

int ExecutorFlags::Submit(std::vector<RunConfig>& cells, const std::string& folder) const {
  std::string bin = ExecutableDir() + "/redline";
  auto log = [](const std::string& line) { std::printf("%s\n", line.c_str()); };
  try {
    for (RunConfig& cell : cells) {
      // The nodes resolve the folder on their own: no relative paths.
      cell.out_dir = std::filesystem::absolute(cell.out_dir).lexically_normal().string();
      if (executor_ == "none") {
        PrepareRunFolder(cell);
        std::printf("prepared %s: run each trial with: redline trial --run %s --index "
                    "1..%d\n", cell.out_dir.c_str(), cell.out_dir.c_str(), cell.trials);
        continue;
      }
      Submission sub = SubmitRun(cell, slurm_, bin, log);
      if (!sub.in_queue.empty())
        std::printf("%s: %zu trials still queued or running, left alone\n",
                    cell.out_dir.c_str(), sub.in_queue.size());
      if (sub.job_id.empty())
        std::printf("%s: nothing to submit\n", cell.out_dir.c_str());
      else
        std::printf("submitted job %s: %zu trials of %s (%s)\n", sub.job_id.c_str(),
                    sub.indices.size(), cell.out_dir.c_str(), sub.script.c_str());
    }
  } catch (const InputError& e) {
    std::fprintf(stderr, "redline: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "redline: could not submit: %s\n", e.what());
    return 1;
  }
  if (executor_ == "slurm")
    std::printf("follow with: redline status %s; stop with: redline cancel %s\n",
                folder.c_str(), folder.c_str());
  return 0;
}

}  // namespace redline
