// A network namespace's TCP sockets from the kernel's sock_diag netlink
// interface. /proc/net/tcp{,6} costs several milliseconds per read on a
// host with a large established-connections hash table, even for an empty
// namespace (the file walks every bucket, twice per read), and the checker
// reads the tables a dozen times a trial; a netlink dump does the same in
// microseconds, and one for listening sockets skips that table altogether.
#ifndef REDLINE_DEVICE_TCP_DIAG_H_
#define REDLINE_DEVICE_TCP_DIAG_H_

#include <sys/types.h>

#include <optional>
#include <vector>

#include "device/proc.h"

namespace redline {

/// Every TCP socket (IPv4 and IPv6) of the network namespace `netns_pid`
/// lives in, or with `only_listening` its listening ones; at most
/// kMaxDiagSockets. nullopt where netlink cannot be used here (the caller
/// reads /proc instead).
inline constexpr size_t kMaxDiagSockets = 1u << 17;
std::optional<std::vector<TcpSocket>> DiagTcpSockets(pid_t netns_pid, bool only_listening);

}  // namespace redline

#endif  // REDLINE_DEVICE_TCP_DIAG_H_
