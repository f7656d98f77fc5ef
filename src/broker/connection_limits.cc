#include "broker/connection_limits.h"

#include <algorithm>

#include "base/clock.h"

namespace redline {

bool ByteBudget::TryTake(size_t n) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (n > total_ - used_) return false;
  used_ += n;
  peak_ = std::max(peak_, used_);
  return true;
}

void ByteBudget::Give(size_t n) {
  std::lock_guard<std::mutex> lock(mutex_);
  used_ -= std::min(n, used_);
}

size_t ByteBudget::InUse() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return used_;
}

size_t ByteBudget::Peak() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return peak_;
}

TokenBucket::TokenBucket(double burst, double per_second)
    : burst_(burst), per_second_(per_second), tokens_(burst),
      last_(MonotonicSeconds()) {}

bool TokenBucket::TryTake() {
  std::lock_guard<std::mutex> lock(mutex_);
  double now = MonotonicSeconds();
  tokens_ = std::min(burst_, tokens_ + (now - last_) * per_second_);
  last_ = now;
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

}  // namespace redline
