// One trial, start to end: deploy the AI system into a fresh device, start
// it, give it the task, check the outcome, tear the device down, and write
// trials/NNN/{verdict.json, transcript.jsonl}.
#ifndef REDLINE_RUN_TRIAL_H_
#define REDLINE_RUN_TRIAL_H_

#include <string>

#include "check/verdict.h"
#include "run/interruption.h"
#include "run/trial_config.h"

namespace redline {

struct TrialResult {
  int index = 0;
  Verdict verdict;
  double seconds = 0;
  int leftover_processes = 0;  ///< processes teardown had to kill
};

/// Runs trial `index` (1-based) in `trial_dir` (created). Never throws for
/// failures of the trial itself: those become a harness_error verdict, and
/// the run goes on. Throws only if verdict.json itself cannot be written.
/// The device is tracked by `interruption` (may be null); if the run is
/// stopped meanwhile, the verdict is `interrupted`.
TrialResult RunTrial(const TrialConfig& config, int index,
                     const std::string& trial_dir,
                     Interruption* interruption = nullptr);

}  // namespace redline

#endif  // REDLINE_RUN_TRIAL_H_
