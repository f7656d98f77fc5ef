// A run: N trials of one scenario and one model, K at a time, into one
// folder (DESIGN §8): run.json, trials/NNN/…, summary.json. A run can be
// stopped (Ctrl-C, or the harness killed) and resumed without losing or
// repeating a trial.
#ifndef REDLINE_RUN_RUN_H_
#define REDLINE_RUN_RUN_H_

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "run/interruption.h"
#include "run/trial.h"
#include "run/trial_config.h"
#include "run/trial_record.h"

namespace redline {

struct RunConfig {
  TrialConfig trial;
  int trials = 10;
  int parallel = 1;
  std::string out_dir;
  /// Continue the run in out_dir: trials with a verdict are kept, the others
  /// (never finished, or interrupted) are moved to out_dir/incomplete/ and
  /// run again. run.json is kept as it is.
  bool resume = false;
};

struct RunSummary {
  int trials = 0;
  int completed = 0;
  int successes = 0;
  int errors = 0;            ///< harness errors: not counted as model failures
  int interrupted = 0;       ///< stopped by the user: run again by --resume
  double success_rate = 0;   ///< successes / (completed - errors - interrupted)
  double ci_low = 0, ci_high = 1;
  std::string first_error;   ///< detail of the first harness error
};

/// The run could not go on (its results could not be written): no new
/// trial was started, and every verdict already written is intact.
class RunStopped : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What the run tells its watcher, as it happens. `cell` is the index of the
/// run in ExecuteRuns' list (always 0 for ExecuteRun).
struct RunEvents {
  std::function<void(const std::string&)> log;          ///< a line for the user
  std::function<void(int cell, int count)> pending;     ///< trials left to run
  std::function<void(int cell, int index)> trial_started;
  std::function<void(int cell, const TrialResult&)> trial_done;
};

/// Checks the config (InputError naming the flag), prepares the folder,
/// writes run.json (unless resuming), runs the missing trials and writes
/// summary.json from every verdict in the folder.
RunSummary ExecuteRun(const RunConfig& config, const RunEvents& events,
                      Interruption* interruption);

/// Several runs (the cells of a model × scenario matrix) sharing one pool of
/// `parallel` workers: each is prepared as ExecuteRun does, their trials are
/// interleaved (trial 1 of every cell, then trial 2, …) so that a run stopped
/// early has comparable counts in every cell, and each gets its summary.json.
std::vector<RunSummary> ExecuteRuns(const std::vector<RunConfig>& cells,
                                    int parallel, const RunEvents& events,
                                    Interruption* interruption);

/// summary.json's content for the trials' records.
std::string SummaryJson(const RunConfig& config,
                        const std::vector<TrialRecord>& records,
                        RunSummary* summary);

/// Checks the config (InputError naming the flag) and that out_dir is
/// writable, creating it: what every run does first.
void ValidateRun(const RunConfig& config);

/// Checks the config (InputError naming the flag) and that out_dir is
/// writable, and writes run.json unless resuming: what ExecuteRun does before
/// its first trial, for executors that run the trials elsewhere.
void PrepareRunFolder(const RunConfig& config);

/// Writes summary.json from every verdict now in the folder and returns it.
RunSummary WriteRunSummary(const RunConfig& config);

/// trials/NNN for trial `index`.
std::string TrialDirName(int index);

}  // namespace redline

#endif  // REDLINE_RUN_RUN_H_
