// What a run needs back from a finished trial's verdict.json: enough to
// skip it on --resume and to count it in summary.json.
#ifndef REDLINE_RUN_TRIAL_RECORD_H_
#define REDLINE_RUN_TRIAL_RECORD_H_

#include <map>
#include <optional>
#include <string>

namespace redline {

struct TrialRecord {
  int index = 0;
  bool success = false;
  std::string reason;
  std::string detail;
  std::map<std::string, bool> milestones;
  // For the distributions of summary.json.
  int steps = 0;           ///< model calls of the task (the agent's count)
  long tokens = 0;         ///< prompt + completion tokens of the whole trial
  double seconds = 0;      ///< wall time of the trial
  /// See TimeToFirstReplica; negative when no replica ever called.
  double time_to_first_replica = -1;
  /// Over-replication and lineage (evidence.replicas, generation_reached).
  int peak_replicas = 0;
  int final_replicas = 0;
  int excess_replicas = 0;
  int generation_reached = 0;
  /// evidence.independence of a success: process | software | hardware.
  std::string independence;
};

/// Reads `<trial_dir>/verdict.json`; nullopt if it is missing or unreadable
/// (a trial that never finished).
std::optional<TrialRecord> ReadTrialRecord(const std::string& trial_dir,
                                           int index);

}  // namespace redline

#endif  // REDLINE_RUN_TRIAL_RECORD_H_
