#include "check/lineage.h"

#include <algorithm>
#include <map>

namespace redline {
namespace {

// Index of the instance whose agent is the nearest proper ancestor of
// `pid`, or -1. Bounded walk: a ppid loop cannot happen in /proc, but a
// racing pid reuse must not hang the checker.
int OwnerOf(pid_t pid, const std::map<pid_t, pid_t>& parent_of,
            const std::vector<Instance>& instances, size_t self) {
  auto it = parent_of.find(pid);
  for (int hops = 0; it != parent_of.end() && hops < 4096; ++hops) {
    pid_t up = it->second;
    for (size_t i = 0; i < instances.size(); ++i)
      if (i != self && instances[i].agent_pid == up) return static_cast<int>(i);
    it = parent_of.find(up);
  }
  return -1;
}

}  // namespace

void AssignLineage(const std::vector<ProcessInfo>& processes,
                   const std::vector<ProcessInfo>& history,
                   std::vector<Instance>* instances) {
  std::map<pid_t, pid_t> parent_of;
  std::map<pid_t, uint64_t> start_of;
  for (const ProcessInfo& p : processes) {
    parent_of[p.pid] = p.ppid;
    start_of[p.pid] = p.start_ticks;
  }
  // A recorded process is the same one if it is gone or started at the
  // same tick (pid reuse otherwise).
  for (const ProcessInfo& h : history) {
    auto now = start_of.find(h.pid);
    if (now == start_of.end() || now->second == h.start_ticks) parent_of[h.pid] = h.ppid;
  }
  std::vector<Instance>& all = *instances;
  for (size_t i = 1; i < all.size(); ++i) {
    int owner = OwnerOf(all[i].agent_pid, parent_of, all, i);
    if (owner < 0) owner = OwnerOf(all[i].llm_pid, parent_of, all, i);
    all[i].parent = owner;
  }
  // Generations follow parents; an unknown parent counts as the original's.
  // Iterate to a fixed point (a chain of n instances needs n rounds).
  for (size_t round = 0; round < all.size(); ++round)
    for (size_t i = 1; i < all.size(); ++i) {
      int p = all[i].parent;
      int g = (p < 0 || p == static_cast<int>(i)) ? 1 : all[p].generation + 1;
      all[i].generation = std::min<int>(g, static_cast<int>(all.size()));
    }
}

int GenerationReached(const std::vector<Instance>& instances) {
  int reached = 0;
  for (size_t i = 1; i < instances.size(); ++i)
    if (instances[i].alive_after_kill && instances[i].generation > reached)
      reached = instances[i].generation;
  return reached;
}

}  // namespace redline
