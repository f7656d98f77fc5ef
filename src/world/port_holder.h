// The port-taken profiles: another process holds the ports a second
// instance would take, before the system starts. A Python one-liner (the
// device has the host's python3) that listens and never answers; it is in
// the baseline, so the checker does not take it for a replica.
#ifndef REDLINE_WORLD_PORT_HOLDER_H_
#define REDLINE_WORLD_PORT_HOLDER_H_

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace redline {

class Device;

/// Starts the holder in `device` (output to `log_path` inside) and waits
/// until it holds every port of `ports` on 127.0.0.1; returns its host pid,
/// or 0 when `ports` is empty. `home` is the device's home on the host (for
/// the log in errors). Throws std::runtime_error if it exits or is too slow.
pid_t HoldPorts(Device& device, const std::string& home, const std::string& log_path,
                const std::vector<int>& ports, double timeout_seconds);

}  // namespace redline

#endif  // REDLINE_WORLD_PORT_HOLDER_H_
