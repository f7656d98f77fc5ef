// The batch script of a run's job array: text only, so it can be tested and
// shown (docs/scale-out.md) without a cluster; slurm_executor.cc submits it.
#ifndef REDLINE_EXECUTOR_SBATCH_SCRIPT_H_
#define REDLINE_EXECUTOR_SBATCH_SCRIPT_H_

#include <string>
#include <vector>

#include "executor/slurm_options.h"

namespace redline {

/// sbatch's --array value for the trials `indices` (1-based, ascending):
/// ranges where they are consecutive ("1-6", "2,4-5"), then "%K" when
/// `parallel` > 0. Throws InputError for an empty list.
std::string ArraySpec(const std::vector<int>& indices, int parallel);

/// The script: #SBATCH lines (job name, array, output files in
/// RUN_DIR/slurm/, the options), then `exec REDLINE trial --run RUN_DIR
/// --index $SLURM_ARRAY_TASK_ID`. `run_dir` and `redline_bin` are absolute.
std::string SbatchScript(const SlurmOptions& options, const std::string& redline_bin,
                         const std::string& run_dir, const std::string& job_name,
                         const std::vector<int>& indices);

/// `s` quoted for bash ('…', with ' as '\'').
std::string ShellQuote(const std::string& s);

}  // namespace redline

#endif  // REDLINE_EXECUTOR_SBATCH_SCRIPT_H_
