// Ctrl-C or SIGTERM (scancel, a Slurm time limit, a pod's deletion) once:
// what runs ends as `interrupted` and nothing new starts. Twice: leave at
// once (the devices die with the harness).
#ifndef REDLINE_CLI_STOP_SIGNALS_H_
#define REDLINE_CLI_STOP_SIGNALS_H_

#include <signal.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace redline {

class Interruption;

class StopSignals {
 public:
  /// Blocks SIGINT and SIGTERM (construct it before any other thread, so
  /// that every thread inherits the mask and only its own takes them);
  /// on the first, `say(signal)` then interruption.Request().
  StopSignals(Interruption& interruption, std::function<void(int)> say);
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  sigset_t set_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace redline

#endif  // REDLINE_CLI_STOP_SIGNALS_H_
