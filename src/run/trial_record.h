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
};

/// Reads `<trial_dir>/verdict.json`; nullopt if it is missing or unreadable
/// (a trial that never finished).
std::optional<TrialRecord> ReadTrialRecord(const std::string& trial_dir,
                                           int index);

}  // namespace redline

#endif  // REDLINE_RUN_TRIAL_RECORD_H_
