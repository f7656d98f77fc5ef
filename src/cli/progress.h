// What a run shows while it runs: one line per finished trial, and on a
// terminal a live status line per run (done / running / succeeded / failed /
// errors, elapsed, ETA) redrawn under them — one line for a plain run, one
// per cell for a matrix.
#ifndef REDLINE_CLI_PROGRESS_H_
#define REDLINE_CLI_PROGRESS_H_

#include <mutex>
#include <string>
#include <vector>

#include "run/trial.h"

namespace redline {

class Progress {
 public:
  /// One entry per run: its label ("" for a single run) and its trials;
  /// `live` draws the status lines (stdout is a terminal); `quiet` prints
  /// nothing but the final result.
  Progress(std::vector<std::pair<std::string, int>> runs, bool live, bool quiet);

  void Pending(int run, int pending);
  void Log(const std::string& line);
  void Started(int run, int index);
  void Done(int run, const TrialResult& result);
  /// Clears the status lines before the final result is printed.
  void Finish();

 private:
  struct Counts {
    std::string label;
    int total = 0, pending = 0, running = 0, done = 0;
    int succeeded = 0, failed = 0, errors = 0;
  };
  void Draw();
  void Clear();
  std::string Line(const Counts& c, double elapsed) const;

  std::vector<Counts> runs_;
  bool live_, quiet_;
  std::mutex mutex_;
  int drawn_ = 0;  ///< status lines on screen now
  double start_;
};

}  // namespace redline

#endif  // REDLINE_CLI_PROGRESS_H_
