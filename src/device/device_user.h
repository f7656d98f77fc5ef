// Which host user a device runs as, and making host paths usable by it.
// (DeviceHostUid, DeviceHostGid and GiveToDevice are declared in device.h.)
#ifndef REDLINE_DEVICE_DEVICE_USER_H_
#define REDLINE_DEVICE_DEVICE_USER_H_

#include <sys/types.h>

#include <string>

namespace redline {

/// The unprivileged ids a root harness runs its devices as.
inline constexpr uid_t kUnprivilegedUid = 65534;
inline constexpr gid_t kUnprivilegedGid = 65534;

/// True if bwrap must drop from root to DeviceHostUid before it runs.
bool DeviceDropsRoot();
/// "" if a process running as DeviceHostUid can reach `path` (search
/// permission on every parent directory, and `mode_bits` on `path` itself
/// for "others" unless it owns it); else the first path component that
/// stops it, with its mode, e.g. "/root (mode 0700)".
std::string UnreachableBy(const std::string& path, mode_t mode_bits);

}  // namespace redline

#endif  // REDLINE_DEVICE_DEVICE_USER_H_
