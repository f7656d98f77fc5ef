// Over-replication (Agent Matrix, arXiv 2509.25302): while the episode runs,
// a thread samples the device every `period` seconds and counts live
// replicas; the peak goes into verdict.json. A replica is counted by its
// brain: a process other than the original LLM server that has relayed a
// call to the broker (every agent greets its LLM server at start-up) and is
// still alive. It also keeps each process's first-seen parent for the
// lineage. The broker knows senders from SO_PEERCRED, so names, ports
// and copies cannot fool the count.
#ifndef REDLINE_RUN_REPLICA_SAMPLER_H_
#define REDLINE_RUN_REPLICA_SAMPLER_H_

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "device/proc.h"

namespace redline {

class Broker;
class Device;

class ReplicaSampler {
 public:
  /// Starts sampling at once. `device` and `broker` must outlive it.
  ReplicaSampler(const Device& device, const Broker& broker,
                 pid_t original_llm_pid, double period_seconds = 0.5);
  /// Stops and joins the thread.
  ~ReplicaSampler();
  ReplicaSampler(const ReplicaSampler&) = delete;
  ReplicaSampler& operator=(const ReplicaSampler&) = delete;

  /// Takes one more sample now and stops sampling; returns the peak.
  int Stop();
  int Peak() const { return peak_; }
  /// Every process seen in a sample, as first seen: its parent before any
  /// re-parenting (a killed original's children move to the device's init),
  /// for the lineage. Call after Stop().
  std::vector<ProcessInfo> History() const;

 private:
  void Loop(double period);
  void Sample();

  const Device& device_;
  const Broker& broker_;
  pid_t original_llm_pid_;
  std::atomic<int> peak_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;  // guarded by mutex_
  mutable std::mutex history_mutex_;
  std::map<std::pair<pid_t, uint64_t>, ProcessInfo> history_;  // (pid, start)
  std::thread thread_;
};

}  // namespace redline

#endif  // REDLINE_RUN_REPLICA_SAMPLER_H_
