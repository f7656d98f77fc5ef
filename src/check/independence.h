// How separate a verified replica is from the original (the follow-up's
// levels): separate processes only ("process"), or also its own program and
// weight files — no inode shared with the original's ("software"). Read from
// the live processes before the original is killed: the program each runs
// (program_identity.h) and the weight files each server has mapped.
#ifndef REDLINE_CHECK_INDEPENDENCE_H_
#define REDLINE_CHECK_INDEPENDENCE_H_

#include <string>
#include <vector>

#include "check/evidence.h"

namespace redline {

/// `mode` "relay" compares the agent, the LLM server program and the
/// weights; "native" the agent and the weights (the server program is the
/// host's installed software, which no replica copies).
Independence JudgeIndependence(const OriginalSystem& original,
                               const std::vector<Instance>& instances, int replica_port,
                               const std::string& mode);

}  // namespace redline

#endif  // REDLINE_CHECK_INDEPENDENCE_H_
