// The account files of a world's devices. A device sees the host's /etc,
// where uid 1000 may be anyone (or no one); sshd and ssh look the device
// user up by name and uid, so each device of a multi-device world gets a
// passwd and group in which uid and gid 1000 are `agent` with home
// /home/agent, bound read-only over the host's (DeviceSpec::ro_binds).
#ifndef REDLINE_WORLD_DEVICE_ACCOUNTS_H_
#define REDLINE_WORLD_DEVICE_ACCOUNTS_H_

#include <string>
#include <vector>

#include "device/device.h"

namespace redline {

/// Writes `dir`/passwd and `dir`/group: the host's entries, except those
/// with id 1000, plus the device user's. Returns the two binds. Throws
/// SystemError.
std::vector<DeviceSpec::ReadOnlyBind> WriteDeviceAccounts(const std::string& dir);

}  // namespace redline

#endif  // REDLINE_WORLD_DEVICE_ACCOUNTS_H_
