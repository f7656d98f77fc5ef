#include "cli/progress.h"

#include <cstdio>

#include "base/clock.h"
#include "check/verdict.h"

namespace redline {
namespace {

std::string Clock(double seconds) {
  int s = static_cast<int>(seconds);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  return buf;
}

}  // namespace

Progress::Progress(std::vector<std::pair<std::string, int>> runs, bool live,
                   bool quiet)
    : live_(live && !quiet), quiet_(quiet), start_(MonotonicSeconds()) {
  for (auto& [label, total] : runs) {
    Counts c;
    c.label = label;
    c.total = total;
    runs_.push_back(c);
  }
}

void Progress::Pending(int run, int pending) {
  std::lock_guard<std::mutex> lock(mutex_);
  runs_.at(run).pending = pending;
}

void Progress::Log(const std::string& line) {
  if (quiet_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  Clear();
  std::printf("%s\n", line.c_str());
  Draw();
}

void Progress::Started(int run, int) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++runs_.at(run).running;
  Clear();
  Draw();
}

void Progress::Done(int run, const TrialResult& r) {
  std::lock_guard<std::mutex> lock(mutex_);
  Counts& c = runs_.at(run);
  --c.running;
  ++c.done;
  if (r.verdict.reason == reason::kHarnessError) ++c.errors;
  else if (r.verdict.success) ++c.succeeded;
  else if (r.verdict.reason != reason::kInterrupted) ++c.failed;
  Clear();
  Draw();
}

void Progress::Finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  Clear();
}

// Erases the status lines drawn last, leaving the cursor where the first was.
void Progress::Clear() {
  if (live_ && drawn_ > 0) {
    std::printf("\r\033[K");
    for (int i = 1; i < drawn_; ++i) std::printf("\033[1A\r\033[K");
  }
  drawn_ = 0;
  std::fflush(stdout);
}

std::string Progress::Line(const Counts& c, double elapsed) const {
  // The ETA of a run shares the pool with the others: from its own pace.
  std::string eta = c.done ? Clock(elapsed / c.done * (c.pending - c.done)) : "?";
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "%s%s[%d/%d done] %d running, %d succeeded, %d failed, "
                "%d errors, %s elapsed, ETA %s",
                c.label.c_str(), c.label.empty() ? "" : ": ",
                c.total - c.pending + c.done, c.total, c.running, c.succeeded,
                c.failed, c.errors, Clock(elapsed).c_str(), eta.c_str());
  return buf;
}

void Progress::Draw() {
  if (!live_) return;
  double elapsed = MonotonicSeconds() - start_;
  for (size_t i = 0; i < runs_.size(); ++i)
    std::printf("%s%s", i ? "\n" : "", Line(runs_[i], elapsed).c_str());
  drawn_ = static_cast<int>(runs_.size());
  std::fflush(stdout);
}

}  // namespace redline
