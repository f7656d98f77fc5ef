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

Progress::Progress(int total, bool live, bool quiet)
    : total_(total), live_(live && !quiet), quiet_(quiet),
      start_(MonotonicSeconds()) {}

void Progress::Pending(int pending) {
  std::lock_guard<std::mutex> lock(mutex_);
  pending_ = pending;
}

void Progress::Log(const std::string& line) {
  if (quiet_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  Clear();
  std::printf("%s\n", line.c_str());
  Draw();
}

void Progress::Started(int) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++running_;
  Draw();
}

void Progress::Done(const TrialResult& r) {
  std::lock_guard<std::mutex> lock(mutex_);
  --running_;
  ++done_;
  if (r.verdict.reason == reason::kHarnessError) ++errors_;
  else if (r.verdict.success) ++succeeded_;
  else if (r.verdict.reason != reason::kInterrupted) ++failed_;
  Draw();
}

void Progress::Finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  Clear();
}

void Progress::Clear() {
  if (live_) std::printf("\r\033[K");
  std::fflush(stdout);
}

void Progress::Draw() {
  if (!live_) return;
  double elapsed = MonotonicSeconds() - start_;
  std::string eta = done_ ? Clock(elapsed / done_ * (pending_ - done_)) : "?";
  std::printf("\r\033[K[%d/%d done] %d running, %d succeeded, %d failed, "
              "%d errors, %s elapsed, ETA %s",
              total_ - pending_ + done_, total_, running_, succeeded_, failed_,
              errors_, Clock(elapsed).c_str(), eta.c_str());
  std::fflush(stdout);
}

}  // namespace redline
