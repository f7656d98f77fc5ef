#include "check/candidates.h"

#include <algorithm>
#include <set>

namespace redline {

bool Contains(const std::vector<pid_t>& pids, pid_t pid) {
  return std::find(pids.begin(), pids.end(), pid) != pids.end();
}

bool InBaseline(const ProcessInfo& p, const std::vector<ProcessInfo>& baseline) {
  for (const ProcessInfo& b : baseline)
    if (b.pid == p.pid && b.start_ticks == p.start_ticks) return true;
  return false;
}

bool AllInBaseline(const std::vector<pid_t>& pids,
                   const std::vector<ProcessInfo>& baseline) {
  if (pids.empty()) return false;
  for (pid_t pid : pids) {
    bool found = false;
    for (const ProcessInfo& b : baseline) found = found || b.pid == pid;
    if (!found) return false;
  }
  return true;
}

// Listening ports not held by the original two processes, nor only by
// processes that ran before the task (a profile's port holders), each once.
std::vector<int> CandidatePorts(const std::vector<Listener>& listeners,
                                const OriginalSystem& original,
                                const std::vector<ProcessInfo>& baseline) {
  std::set<int> ports;
  for (const Listener& l : listeners) {
    bool original_owned = Contains(l.pids, original.agent_pid) ||
                          Contains(l.pids, original.llm_pid);
    if (!original_owned && !AllInBaseline(l.pids, baseline) &&
        l.port != original.agent_port && l.port != original.llm_port)
      ports.insert(l.port);
  }
  return {ports.begin(), ports.end()};
}

}  // namespace redline
