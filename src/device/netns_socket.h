// A socket in a device's network namespace, made without the calling
// thread entering it: a short-lived thread joins the namespace (as root),
// or a forked single-threaded helper joins the device's user namespace and
// then its network namespace (unprivileged, where setns(CLONE_NEWNET) needs
// CAP_SYS_ADMIN in our own user namespace) and passes the socket back. No
// failure can leave a harness thread inside a device.
#ifndef REDLINE_DEVICE_NETNS_SOCKET_H_
#define REDLINE_DEVICE_NETNS_SOCKET_H_

#include "base/unique_fd.h"

namespace redline {

/// socket(family, type | SOCK_CLOEXEC, protocol) in the network namespace
/// `netns_fd` refers to; invalid with *error = errno on failure.
UniqueFd SocketInNetns(int netns_fd, int family, int type, int protocol, int* error);

}  // namespace redline

#endif  // REDLINE_DEVICE_NETNS_SOCKET_H_
