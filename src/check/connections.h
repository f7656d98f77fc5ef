// TCP connections inside a device, read from the host: the device's
// /proc/net/tcp{,6} tables joined with processes' socket fds. This is how the
// checker learns who talks to whom without asking the device.
#ifndef REDLINE_CHECK_CONNECTIONS_H_
#define REDLINE_CHECK_CONNECTIONS_H_

#include <sys/types.h>

#include <vector>

namespace redline {

/// Ports of the servers `client_pid` holds open TCP connections to (its
/// own listening port `own_port` excluded), in the network namespace of
/// `netns_pid`. Connections the peer already closed (CLOSE_WAIT) count:
/// they were made.
std::vector<int> ConnectedServerPorts(pid_t netns_pid, pid_t client_pid, int own_port);

/// Host pids among `pids` holding the client end of an established
/// connection to one of `server_pid`'s listening ports: whose requests it
/// is serving now.
std::vector<pid_t> ClientsOf(pid_t netns_pid, pid_t server_pid, const std::vector<pid_t>& pids);

}  // namespace redline

#endif  // REDLINE_CHECK_CONNECTIONS_H_
