#include "device/stale_mounts.h"

#include <fstream>
#include <sstream>

#include "device/cgroup.h"

namespace redline {

std::string OwnedMountSource(const std::string& prefix) {
  std::string path = OwnerCgroupPath();  // "redline/<pid>-<ticks>"
  return prefix + path.substr(path.rfind('/') + 1);
}

std::vector<StaleMount> FindStaleMounts(const std::string& type,
                                        const std::string& prefix) {
  std::vector<StaleMount> stale;
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::string line;
  while (std::getline(mountinfo, line)) {
    // "<id> <parent> <dev> <root> <point> <opts> [tags…] - <type> <source> …"
    std::istringstream in(line);
    std::string skip, point, word, fs_type, source;
    in >> skip >> skip >> skip >> skip >> point;
    while (in >> word && word != "-") {
    }
    in >> fs_type >> source;
    if (fs_type != type || !source.starts_with(prefix)) continue;
    std::string owner = source.substr(prefix.size());
    if (!OwnerAlive(owner)) stale.push_back({point, owner});
  }
  return stale;
}

}  // namespace redline
