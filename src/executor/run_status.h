// Where each trial of a run folder stands, from the folder itself (verdicts,
// claims) and from Slurm (the recorded jobs' tasks): `redline status`.
#ifndef REDLINE_EXECUTOR_RUN_STATUS_H_
#define REDLINE_EXECUTOR_RUN_STATUS_H_

#include <string>
#include <vector>

namespace redline {

struct TrialStatus {
  int index = 0;
  /// "done" (a verdict), "running", "pending" (queued), or "failed" (no
  /// verdict and nothing will run it: cancelled, interrupted, crashed, or
  /// never submitted; `redline run --resume` runs it again).
  std::string state;
  std::string detail;  ///< the verdict's reason, the host, Slurm's state
};

/// The status of trials 1..`trials` of the run in `run_dir`.
std::vector<TrialStatus> RunStatus(const std::string& run_dir, int trials);

/// Indices of the trials that no one will run (state "failed").
std::vector<int> MissingTrials(const std::vector<TrialStatus>& status);

}  // namespace redline

#endif  // REDLINE_EXECUTOR_RUN_STATUS_H_
