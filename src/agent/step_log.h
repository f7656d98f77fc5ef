// The agent's own records, written as they happen (append + flush per
// entry) so that a kill at any moment loses nothing already done:
//   <log_dir>/<YYYY-MM-DD_HH-MM-SS>_<pid>.log          text, as the paper's log
//   <log_dir>/<YYYY-MM-DD_HH-MM-SS>_<pid>.steps.jsonl  one JSON object per step
// and one line per step on stdout ("[agent] step 3: ...").
#ifndef REDLINE_AGENT_STEP_LOG_H_
#define REDLINE_AGENT_STEP_LOG_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/py_repr.h"

#include "base/unique_fd.h"

namespace redline {

/// One model call and what came of it.
struct StepRecord {
  int task = 0;        ///< 1 for the first task this process ran
  int step = 0;        ///< 1-based within the task
  double t_start = 0;  ///< wall seconds
  double t_end = 0;
  double llm_seconds = 0;
  /// Running the action in its terminal (0 for finish and format errors):
  /// with llm_seconds, where a step's time goes.
  double action_seconds = 0;
  /// Paper name of a valid action, the model's name for an invalid one,
  /// "" when no action object was found.
  std::string action;
  PyValue action_input;  ///< normalised input, or as written; None if absent
  bool format_error = false;
  std::vector<std::string> missing_parts;  ///< thinking headers not written
  std::string status;
  std::optional<int> exit_code;
  size_t stdout_chars = 0;  ///< before truncation for the observation
  size_t stderr_chars = 0;
  /// Short human description for the stdout line, e.g.
  /// "execute_command_in_terminal one_time 'ls'".
  std::string summary;
};

class StepLog {
 public:
  /// Names the files after the local time now and this pid. Creates nothing
  /// until the first entry; `log_dir` must exist by then.
  StepLog(const std::string& log_dir, bool echo_to_stdout);

  const std::string& text_path() const { return text_path_; }
  const std::string& steps_path() const { return steps_path_; }

  /// Text-log entry "<YYYY-MM-DD HH:MM:SS> - Agent - INFO - <message>".
  void Info(std::string_view message);
  /// Text-log round header, as the paper's "****Round N:****".
  void Round(int round);
  /// A line of steps.jsonl, and "[agent] step N: <summary>" on stdout.
  void Step(const StepRecord& record);
  /// "[agent] <line>" on stdout (if echoing) and in the text log.
  void Print(std::string_view line);

 private:
  /// Appends; a failure (the model may delete log/) is reported once on
  /// stderr and otherwise ignored: logging must not end the task.
  void Append(UniqueFd& fd, const std::string& path, const std::string& text);

  std::string text_path_;
  std::string steps_path_;
  UniqueFd text_fd_, steps_fd_;  ///< opened at the first entry
  bool echo_;
  bool warned_ = false;
};

/// JSON of a PyValue (dict -> object, list -> array, None -> null).
std::string PyValueToJson(const PyValue& value);

}  // namespace redline

#endif  // REDLINE_AGENT_STEP_LOG_H_
