// The jobs a run folder was submitted as (RUN_DIR/slurm/jobs.jsonl, one line
// per sbatch), and what Slurm says of their tasks now.
#ifndef REDLINE_EXECUTOR_SLURM_JOBS_H_
#define REDLINE_EXECUTOR_SLURM_JOBS_H_

#include <map>
#include <string>
#include <vector>

#include "executor/slurm_options.h"

namespace redline {

struct SubmittedJob {
  std::string job_id;
  std::vector<int> indices;  ///< the array's task ids = the trials' numbers
  SlurmOptions options;
  std::string script;        ///< the batch script, relative to the run folder
  std::string submitted;     ///< ISO time
};

void RecordJob(const std::string& run_dir, const SubmittedJob& job);
/// Every recorded submission, oldest first; [] if none. A damaged line is
/// an InputError naming the file and line.
std::vector<SubmittedJob> ReadJobs(const std::string& run_dir);

/// squeue's state of each task of `job_ids` still known to the controller
/// (PENDING, RUNNING, COMPLETING, …), by array task id. Tasks that ended
/// are absent. Throws SystemError if squeue fails for another reason than
/// jobs it no longer knows.
std::map<int, std::string> QueuedTasks(const std::vector<std::string>& job_ids);

/// sacct's final state of each task (CANCELLED, TIMEOUT, FAILED, …), by
/// array task id; {} where accounting is off or sacct is absent.
std::map<int, std::string> FinalStates(const std::vector<std::string>& job_ids);

/// True for squeue states in which the task will still run or runs.
bool StateIsActive(const std::string& state);
bool StateIsPending(const std::string& state);

}  // namespace redline

#endif  // REDLINE_EXECUTOR_SLURM_JOBS_H_
