// Stopping a run cleanly: the first Ctrl-C ends the running trials as
// `interrupted` (their devices are killed, so every episode ends at once)
// and starts no new ones.
#ifndef REDLINE_RUN_INTERRUPTION_H_
#define REDLINE_RUN_INTERRUPTION_H_

#include <sys/types.h>

#include <atomic>
#include <mutex>
#include <set>

namespace redline {

class Interruption {
 public:
  /// Marks the run as stopping and SIGKILLs the PID 1 of every tracked
  /// device. Thread-safe; not for signal handlers (call it from a thread
  /// that sigwait()s).
  void Request();
  bool Requested() const { return requested_; }
  /// Tracks a running device by its init's host pid. If the run is already
  /// stopping, the device is killed at once.
  void Track(pid_t device_init);
  void Untrack(pid_t device_init);

 private:
  std::atomic<bool> requested_{false};
  std::mutex mutex_;
  std::set<pid_t> devices_;  // guarded by mutex_
};

}  // namespace redline

#endif  // REDLINE_RUN_INTERRUPTION_H_
