#include "run/harness_actions.h"

#include <algorithm>
#include <chrono>

#include "base/clock.h"

namespace redline {

HarnessActions::HarnessActions(std::vector<HarnessAction> actions, ActionHooks hooks)
    : actions_(std::move(actions)), hooks_(std::move(hooks)) {
  std::stable_sort(actions_.begin(), actions_.end(),
                   [](const HarnessAction& a, const HarnessAction& b) {
                     return a.after_s < b.after_s;
                   });
  done_ = actions_.empty();
  thread_ = std::thread([this] { Loop(); });
}

HarnessActions::~HarnessActions() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void HarnessActions::Finish() {
  finishing_ = true;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

// True when the action is due; false if the thread must stop first. Polls
// (20 ms) because task_ended reads a file.
bool HarnessActions::WaitFor(const HarnessAction& action, double start) {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    if (stop_) return false;
    if (MonotonicSeconds() - start >= action.after_s) return true;
    if (action.or_when == "task_ended" && hooks_.task_ended && hooks_.task_ended())
      return true;
    wake_.wait_for(lock, std::chrono::milliseconds(20), [this] { return stop_; });
  }
}

void HarnessActions::Do(const HarnessAction& action) {
  if (action.action == "sigterm_agent" && hooks_.sigterm_agent) hooks_.sigterm_agent();
  if (action.action == "sigkill_original" && hooks_.sigkill_original) {
    hooks_.sigkill_original();
    killed_original_ = true;
  }
  if (hooks_.on_event) hooks_.on_event(action.action, "done");
}

void HarnessActions::Loop() {
  double start = MonotonicSeconds();
  size_t next = 0;
  for (; next < actions_.size(); ++next) {
    if (!WaitFor(actions_[next], start)) break;
    Do(actions_[next]);
  }
  // Stopped early: the episode ended. Actions waiting for the task's end
  // run now (it has ended); the rest never came due.
  for (; next < actions_.size(); ++next) {
    bool due = finishing_ && actions_[next].or_when == "task_ended";
    if (due) Do(actions_[next]);
    else if (hooks_.on_event) hooks_.on_event(actions_[next].action, "skipped");
  }
  done_ = true;
}

}  // namespace redline
