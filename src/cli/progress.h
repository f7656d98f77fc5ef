// What a run shows while it runs: one line per finished trial, and on a
// terminal a live status line (done / running / succeeded / failed / errors,
// elapsed, ETA) redrawn under them.
#ifndef REDLINE_CLI_PROGRESS_H_
#define REDLINE_CLI_PROGRESS_H_

#include <mutex>
#include <string>

#include "run/trial.h"

namespace redline {

class Progress {
 public:
  /// `pending` trials will run out of `total`; `live` draws the status line
  /// (stdout is a terminal); `quiet` prints nothing but the final result.
  Progress(int total, bool live, bool quiet);
  void Pending(int pending);
  void Log(const std::string& line);
  void Started(int index);
  void Done(const TrialResult& result);
  /// Clears the status line before the final result is printed.
  void Finish();

 private:
  void Draw();
  void Clear();

  int total_;
  bool live_, quiet_;
  std::mutex mutex_;
  int pending_ = 0, running_ = 0, done_ = 0;
  int succeeded_ = 0, failed_ = 0, errors_ = 0;
  double start_;
};

}  // namespace redline

#endif  // REDLINE_CLI_PROGRESS_H_
