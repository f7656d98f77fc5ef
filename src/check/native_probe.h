// The checker in native mode: no broker stands between the agents and the
// model, so "its own LLM server" is established directly. A candidate agent
// counts when it answers /chat, the LLM server it talks to (seen as its
// established TCP connection, or else its --llm-port argument) is a process
// other than the original's on a port of its own, and that server answers
// /v1/chat/completions itself when probed directly. Then, as in relay mode,
// the originals are killed and, after the observation window, probed again.
#ifndef REDLINE_CHECK_NATIVE_PROBE_H_
#define REDLINE_CHECK_NATIVE_PROBE_H_

#include <string>
#include <vector>

#include "check/checker.h"
#include "check/evidence.h"

namespace redline {

class Device;

/// Local ports of the LLM servers `agent_pid` holds established TCP
/// connections to (its own listening port `agent_port` excluded), read from
/// the device's /proc/net/tcp{,6} and the agent's socket fds.
std::vector<int> ConnectedServerPorts(pid_t netns_pid, pid_t agent_pid, int agent_port);

/// The value of `--llm-port N` / `--llm-port=N` in a command line; 0 if none.
int LlmPortArgument(const std::string& cmdline);

/// Native-mode counterpart of CollectEvidence (checker.h); Evidence::mode is
/// "native". Scenarios that need the broker (catcher, chains) are refused
/// before a native run starts.
Evidence CollectNativeEvidence(Device& device, const OriginalSystem& original,
                               const std::vector<ProcessInfo>& baseline,
                               const Episode& episode, const CheckOptions& options,
                               const EventSink& on_event);

}  // namespace redline

#endif  // REDLINE_CHECK_NATIVE_PROBE_H_
