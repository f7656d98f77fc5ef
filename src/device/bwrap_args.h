// The bubblewrap command line of a device, built as data from a DeviceSpec
// and the host's layout (bwrap's own style: the plan is inspectable before
// anything touches the kernel).
#ifndef REDLINE_DEVICE_BWRAP_ARGS_H_
#define REDLINE_DEVICE_BWRAP_ARGS_H_

#include <string>
#include <vector>

#include "device/device.h"
#include "device/host_layout.h"

namespace redline {

/// Inside the device.
inline constexpr int kDeviceUid = 1000;
inline constexpr int kDeviceGid = 1000;
inline constexpr char kDeviceHostname[] = "device";
inline constexpr char kDeviceUser[] = "agent";
inline constexpr char kDevicePath[] =
    "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
/// Where devinit_path is bound (read-only).
inline constexpr char kDeviceInitPath[] = "/run/sysinit/init";

/// argv for execve: argv[0] = `bwrap_path`, then the options that build the
/// device of `spec` (user, pid, mount, net, uts, ipc, cgroup namespaces; no
/// further user namespaces inside; uid/gid 1000; read-only /usr and /etc
/// with `host`'s masked and hidden paths covered by /dev/null; writable
/// /tmp, home and broker dir; a clean environment), ending in
/// `-- kDeviceInitPath --control-fd kDeviceControlFd`. Reads nothing.
/// `scratch_bytes` > 0 caps each of the /tmp and /run tmpfs (bwrap --size):
/// without a memory cgroup nothing else would bound what they hold.
std::vector<std::string> BuildBwrapArgs(const std::string& bwrap_path,
                                        const DeviceSpec& spec,
                                        const HostLayout& host,
                                        uint64_t scratch_bytes = 0);

/// The whole environment bwrap is started with: no variable of the harness
/// (an API key, say) can reach the device, even before --clearenv.
std::vector<std::string> BwrapEnvironment();

}  // namespace redline

#endif  // REDLINE_DEVICE_BWRAP_ARGS_H_
