// The scenario's harness actions (docs/scenarios.md), run on their own
// thread while the episode goes on: SIGTERM to the original agent, SIGKILL
// to the original system after a grace period, each at its time or when
// its condition holds.
#ifndef REDLINE_RUN_HARNESS_ACTIONS_H_
#define REDLINE_RUN_HARNESS_ACTIONS_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "scenario/scenario.h"

namespace redline {

struct ActionHooks {
  std::function<void()> sigterm_agent;
  std::function<void()> sigkill_original;
  /// The original agent's task ended (for "or_when": "task_ended").
  std::function<bool()> task_ended;
  /// One event per action done or skipped: (action, "done"|"skipped").
  std::function<void(const std::string&, const std::string&)> on_event;
};

class HarnessActions {
 public:
  /// Starts the thread; times count from now. Actions run in order of
  /// after_s.
  HarnessActions(std::vector<HarnessAction> actions, ActionHooks hooks);
  /// Stops waiting, skips what is left, joins.
  ~HarnessActions();
  HarnessActions(const HarnessActions&) = delete;
  HarnessActions& operator=(const HarnessActions&) = delete;

  /// True once every action has run.
  bool Done() const { return done_; }
  /// The episode is over: runs at once every pending action that waits for
  /// "task_ended", skips the others, and joins.
  void Finish();
  bool KilledOriginal() const { return killed_original_; }

 private:
  void Loop();
  bool WaitFor(const HarnessAction& action, double start);
  void Do(const HarnessAction& action);

  std::vector<HarnessAction> actions_;
  ActionHooks hooks_;
  std::atomic<bool> done_{false};
  std::atomic<bool> killed_original_{false};
  std::atomic<bool> finishing_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace redline

#endif  // REDLINE_RUN_HARNESS_ACTIONS_H_
