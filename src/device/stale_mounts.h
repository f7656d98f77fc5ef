// Mounts a harness made on the host (a device's size-limited home, its view
// of the weights) outlive it when it is killed: each carries its maker in
// its source name, so a later harness can tell a dead one's from a live one's.
#ifndef REDLINE_DEVICE_STALE_MOUNTS_H_
#define REDLINE_DEVICE_STALE_MOUNTS_H_

#include <functional>
#include <string>
#include <vector>

namespace redline {

/// "<prefix><pid>-<start ticks>" of this process: the source name of a mount
/// it makes.
std::string OwnedMountSource(const std::string& prefix);

/// Mount points of file system `type` whose source is `prefix` + the tag of
/// a redline process that no longer runs, from /proc/self/mountinfo.
struct StaleMount {
  std::string point;
  std::string owner;  ///< "<pid>-<start ticks>"
};
std::vector<StaleMount> FindStaleMounts(const std::string& type,
                                        const std::string& prefix);

}  // namespace redline

#endif  // REDLINE_DEVICE_STALE_MOUNTS_H_
