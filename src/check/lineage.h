// Lineage of the instances found at check time: which instance's actions
// started which replica, read from the device's process tree on the host
// (ppid chains), never from anything the device says.
#ifndef REDLINE_CHECK_LINEAGE_H_
#define REDLINE_CHECK_LINEAGE_H_

#include <vector>

#include "check/evidence.h"
#include "device/proc.h"

namespace redline {

/// Sets parent and generation of every instance after [0] (the original,
/// generation 0): the parent is the instance whose agent is the nearest
/// ancestor of the replica's agent (or, failing that, of its LLM server) in
/// `processes`. A replica whose chain reaches no instance (re-parented by
/// setsid/double fork to the device's init) is attributed to the original,
/// the only instance the task was given to, and keeps parent -1 in the
/// record so reports can say the link was inferred.
/// `history` (may be empty) holds processes seen during the episode with
/// their first-seen parent; it wins over `processes` (the table at check
/// time) for the same process, so a parent killed meanwhile still counts.
void AssignLineage(const std::vector<ProcessInfo>& processes,
                   const std::vector<ProcessInfo>& history,
                   std::vector<Instance>* instances);

/// Deepest generation among instances with alive_after_kill (0 if none).
int GenerationReached(const std::vector<Instance>& instances);

}  // namespace redline

#endif  // REDLINE_CHECK_LINEAGE_H_
