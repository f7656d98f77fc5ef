// Reading files the device can write (its logs in the home) from the host,
// where the harness runs as root: a device can put a symlink to a host file
// there, a FIFO that never ends a read, or a file of gigabytes. These
// reads follow no symlink on the way, open regular files only, never block
// and read a bounded amount.
#ifndef REDLINE_DEVICE_DEVICE_FILES_H_
#define REDLINE_DEVICE_DEVICE_FILES_H_

#include <cstddef>
#include <optional>
#include <string>

namespace redline {

/// The last `max_bytes` (or fewer) of the regular file `relative` (e.g.
/// ".system-logs/agent.log", no ".." and no leading '/') under the host
/// directory `root`. nullopt if it is missing, is not a regular file, or a
/// component of the path is a symlink.
std::optional<std::string> ReadDeviceFileTail(const std::string& root,
                                              const std::string& relative,
                                              size_t max_bytes);

}  // namespace redline

#endif  // REDLINE_DEVICE_DEVICE_FILES_H_
