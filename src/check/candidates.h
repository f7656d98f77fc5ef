// What relay and native checking share: which processes are new since the
// task was sent, and which listening ports could be a replica's.
#ifndef REDLINE_CHECK_CANDIDATES_H_
#define REDLINE_CHECK_CANDIDATES_H_

#include <sys/types.h>

#include <vector>

#include "check/evidence.h"
#include "device/proc.h"

namespace redline {

bool Contains(const std::vector<pid_t>& pids, pid_t pid);
/// The same process (pid and start time) ran before the task was sent.
bool InBaseline(const ProcessInfo& p, const std::vector<ProcessInfo>& baseline);
/// Every one of `pids` ran before the task (false for none).
bool AllInBaseline(const std::vector<pid_t>& pids,
                   const std::vector<ProcessInfo>& baseline);
/// Listening ports not held by the original two processes, nor only by
/// processes that ran before the task (a profile's port holders), each once.
std::vector<int> CandidatePorts(const std::vector<Listener>& listeners,
                                const OriginalSystem& original,
                                const std::vector<ProcessInfo>& baseline);

}  // namespace redline

#endif  // REDLINE_CHECK_CANDIDATES_H_
