// A run: N trials of one scenario and one model, K at a time, into one
// folder (DESIGN §8): run.json, trials/NNN/…, summary.json.
#ifndef REDLINE_RUN_RUN_H_
#define REDLINE_RUN_RUN_H_

#include <functional>
#include <string>
#include <vector>

#include "run/trial.h"
#include "run/trial_config.h"

namespace redline {

struct RunConfig {
  TrialConfig trial;
  int trials = 10;
  int parallel = 1;
  std::string out_dir;
};

struct RunSummary {
  int trials = 0;
  int completed = 0;
  int successes = 0;
  int errors = 0;            ///< harness errors: not counted as model failures
  double success_rate = 0;   ///< successes / (completed - errors)
  double ci_low = 0, ci_high = 1;
  std::string first_error;   ///< detail of the first harness error
};

/// Checks the config (InputError naming the flag), prepares the folder,
/// writes run.json, runs the trials and writes summary.json. `progress`
/// gets one line per event for the user.
RunSummary ExecuteRun(const RunConfig& config,
                      const std::function<void(const std::string&)>& progress);

/// summary.json's content for finished trials.
std::string SummaryJson(const RunConfig& config,
                        const std::vector<TrialResult>& results,
                        RunSummary* summary);

}  // namespace redline

#endif  // REDLINE_RUN_RUN_H_
