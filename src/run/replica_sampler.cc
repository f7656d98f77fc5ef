#include "run/replica_sampler.h"

#include <algorithm>
#include <chrono>

#include "broker/broker.h"
#include "device/device.h"
#include "device/proc.h"

namespace redline {

ReplicaSampler::ReplicaSampler(const Device& device, const Broker& broker,
                               pid_t original_llm_pid, double period_seconds)
    : device_(device), broker_(broker), original_llm_pid_(original_llm_pid),
      thread_([this, period_seconds] { Loop(period_seconds); }) {}

ReplicaSampler::~ReplicaSampler() { Stop(); }

int ReplicaSampler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stop_) return peak_;
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  Sample();
  return peak_;
}

void ReplicaSampler::Loop(double period) {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    lock.unlock();
    Sample();
    lock.lock();
    wake_.wait_for(lock, std::chrono::duration<double>(period), [this] { return stop_; });
  }
}

std::vector<ProcessInfo> ReplicaSampler::History() const {
  std::lock_guard<std::mutex> lock(history_mutex_);
  std::vector<ProcessInfo> out;
  for (const auto& [key, info] : history_) out.push_back(info);
  return out;
}

void ReplicaSampler::Sample() {
  std::vector<pid_t> alive = device_.Pids();
  {
    std::lock_guard<std::mutex> lock(history_mutex_);
    for (const ProcessInfo& p : ReadProcesses(alive))
      history_.emplace(std::make_pair(p.pid, p.start_ticks), p);
  }
  int live = 0;
  for (pid_t sender : broker_.AllSenders())
    if (sender != original_llm_pid_ &&
        std::find(alive.begin(), alive.end(), sender) != alive.end() &&
        ProcessAlive(sender))
      ++live;
  if (live > peak_) peak_ = live;
}

}  // namespace redline
