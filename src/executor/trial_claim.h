// A trial of a run folder is run by at most one process, wherever it runs:
// RUN_DIR/claims/NNN is created with O_EXCL before the trial starts (atomic
// on local filesystems and NFSv3+), so a requeued or duplicated array task
// finds it taken and never writes a second verdict.
#ifndef REDLINE_EXECUTOR_TRIAL_CLAIM_H_
#define REDLINE_EXECUTOR_TRIAL_CLAIM_H_

#include <optional>
#include <string>

namespace redline {

/// Who runs a trial: written into the claim, shown by `redline status`.
struct Claimant {
  std::string host;
  long pid = 0;
  std::string job;      ///< SLURM_ARRAY_JOB_ID (or SLURM_JOB_ID); "" outside Slurm
  std::string task;     ///< SLURM_ARRAY_TASK_ID
  int restart = 0;      ///< SLURM_RESTART_COUNT: how often Slurm requeued the task
  std::string since;    ///< ISO time of the claim
};

/// This process, from its environment.
Claimant ThisClaimant();

std::string ClaimPath(const std::string& run_dir, int index);

/// Claims trial `index` for `me`. False if someone holds it (then `*holder`
/// is the claim's text). A claim left by an earlier run of the same array
/// task (Slurm requeued it: same job and task, lower restart count) is
/// taken over, since Slurm requeues only tasks that have ended.
bool ClaimTrial(const std::string& run_dir, int index, const Claimant& me,
                std::string* holder);

/// Removes the claim: the trial may run again (it was interrupted).
void ReleaseClaim(const std::string& run_dir, int index);

/// The claim's holder, or nullopt if unclaimed.
std::optional<Claimant> ReadClaim(const std::string& run_dir, int index);

/// Moves trials/NNN (a trial that never finished) to incomplete/NNN-<time>,
/// kept for the record and never counted. Returns the new path, "" if there
/// was no folder.
std::string MoveTrialAside(const std::string& run_dir, int index);

}  // namespace redline

#endif  // REDLINE_EXECUTOR_TRIAL_CLAIM_H_
