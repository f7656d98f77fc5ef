#include "executor/indexed_trial.h"

#include <fcntl.h>
#include <sys/file.h>

#include "base/error.h"
#include "base/unique_fd.h"
#include "check/verdict.h"
#include "executor/trial_claim.h"
#include "run/trial_record.h"

namespace redline {

void WriteSummaryLocked(const RunConfig& config) {
  std::string path = config.out_dir + "/.summary.lock";
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd.valid()) ThrowErrno("open(\"" + path + "\")");
  while (::flock(fd.get(), LOCK_EX) != 0)
    if (errno != EINTR) ThrowErrno("flock(\"" + path + "\")");
  WriteRunSummary(config);
}  // the lock goes with the fd

IndexedTrialOutcome RunIndexedTrial(const RunConfig& config, int index,
                                    Interruption* interruption) {
  if (index < 1 || index > config.trials)
    throw InputError("--index " + std::to_string(index) + ": the run in " +
                     config.out_dir + " has trials 1.." + std::to_string(config.trials));
  IndexedTrialOutcome outcome;
  std::string trial_dir = config.out_dir + "/trials/" + TrialDirName(index);
  auto done = [&] {
    auto record = ReadTrialRecord(trial_dir, index);
    return record && record->reason != reason::kInterrupted;
  };
  if (done()) {
    outcome.kind = IndexedTrialOutcome::Kind::kAlreadyDone;
    return outcome;
  }
  if (!ClaimTrial(config.out_dir, index, ThisClaimant(), &outcome.holder)) {
    outcome.kind = IndexedTrialOutcome::Kind::kClaimedElsewhere;
    return outcome;
  }
  // Claimed: no one else runs it now. A verdict that appeared between the
  // check and the claim came from a claimant that has since released it.
  if (done()) {
    outcome.kind = IndexedTrialOutcome::Kind::kAlreadyDone;
    return outcome;
  }
  MoveTrialAside(config.out_dir, index);
  try {
    outcome.result = RunTrial(config.trial, index, trial_dir, interruption);
  } catch (...) {
    ReleaseClaim(config.out_dir, index);
    throw;
  }
  if (outcome.result.verdict.reason == reason::kInterrupted)
    ReleaseClaim(config.out_dir, index);
  WriteSummaryLocked(config);
  return outcome;
}

}  // namespace redline
