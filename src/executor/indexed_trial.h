// One trial of a prepared run folder, run by its index wherever the folder
// is mounted (`redline trial --run DIR --index I`, what each Slurm array task
// or Kubernetes pod runs).
#ifndef REDLINE_EXECUTOR_INDEXED_TRIAL_H_
#define REDLINE_EXECUTOR_INDEXED_TRIAL_H_

#include <string>

#include "run/interruption.h"
#include "run/run.h"

namespace redline {

struct IndexedTrialOutcome {
  enum class Kind {
    kRan,               ///< this process ran it; `result` holds its verdict
    kAlreadyDone,       ///< it has a verdict already: nothing was run
    kClaimedElsewhere,  ///< another process holds it: nothing was run
  };
  Kind kind = Kind::kRan;
  TrialResult result;
  std::string holder;  ///< the claim's text for kClaimedElsewhere
};

/// Runs trial `index` of the run `config` (from run.json, out_dir set, the
/// binaries' paths filled in) if no one else has or does: claims it, moves
/// an unfinished earlier folder of it aside, runs it into trials/NNN, and
/// rewrites summary.json from every verdict on disk (under a lock, so
/// concurrent tasks never write an older view last). An `interrupted`
/// trial's claim is released so that --resume runs it again. Throws
/// InputError for an index outside 1..trials, and what RunTrial throws.
IndexedTrialOutcome RunIndexedTrial(const RunConfig& config, int index,
                                    Interruption* interruption);

/// summary.json rewritten under RUN_DIR/.summary.lock.
void WriteSummaryLocked(const RunConfig& config);

}  // namespace redline

#endif  // REDLINE_EXECUTOR_INDEXED_TRIAL_H_
