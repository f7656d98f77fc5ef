// `redline run --executor slurm`: a prepared run folder becomes one Slurm job
// array, one task per trial that has no verdict and is not queued; each task
// runs `redline trial --run DIR --index N` (sbatch_script.h). A matrix
// submits one array per cell.
#ifndef REDLINE_EXECUTOR_SLURM_EXECUTOR_H_
#define REDLINE_EXECUTOR_SLURM_EXECUTOR_H_

#include <functional>
#include <string>
#include <vector>

#include "executor/slurm_options.h"
#include "run/run.h"

namespace redline {

struct Submission {
  std::string job_id;          ///< "" when nothing needed submitting
  std::vector<int> indices;    ///< the trials submitted
  std::vector<int> in_queue;   ///< trials left alone: still queued or running
  std::string script;          ///< path of the batch script
};

/// Prepares the folder as a local run would (run.json, or on resume the
/// recorded one), moves unfinished trials aside (except those still queued
/// or running), releases their claims, and submits an array for them.
/// `config.out_dir` must be absolute and on a filesystem the nodes share;
/// `redline_bin` likewise. On resume, empty `options` mean the last
/// submission's. Throws InputError (sbatch missing, rejected options) or
/// SystemError.
Submission SubmitRun(const RunConfig& config, SlurmOptions options,
                     const std::string& redline_bin,
                     const std::function<void(const std::string&)>& log);

/// scancel for every recorded job of the run that still has tasks queued
/// or running; returns the job ids cancelled. Running trials end as
/// `interrupted` (redline takes SIGTERM as a stop) and release their claims.
std::vector<std::string> CancelRun(const std::string& run_dir);

}  // namespace redline

#endif  // REDLINE_EXECUTOR_SLURM_EXECUTOR_H_
