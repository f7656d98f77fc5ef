// Checking a DeviceSpec before anything runs.
#ifndef REDLINE_DEVICE_DEVICE_SPEC_H_
#define REDLINE_DEVICE_DEVICE_SPEC_H_

#include "device/device.h"

namespace redline {

/// Smallest limits a device can start with (bwrap and devinit need some).
inline constexpr int kMinPidsLimit = 4;
inline constexpr uint64_t kMinMemoryLimit = 16ull << 20;
inline constexpr uint64_t kMinDiskLimit = 1ull << 20;
inline constexpr size_t kMaxDeviceName = 64;

/// Returns `spec` with its paths made absolute and canonical. Throws
/// InputError with a one-line message naming the field if the name is empty,
/// too long or has characters other than letters, digits, '-', '_'; if
/// home_dir or broker_dir is not an existing directory; if devinit_path is
/// not an executable file; if a limit is below the minimum; if a hidden
/// program name is empty or has a '/'; or, when the harness runs as root,
/// if the unprivileged device user could not reach those paths.
DeviceSpec ValidateDeviceSpec(const DeviceSpec& spec);

}  // namespace redline

#endif  // REDLINE_DEVICE_DEVICE_SPEC_H_
