// RemoveStaleDevices: cgroups whose harness process is gone.
#include <dirent.h>
#include <unistd.h>

#include <map>
#include <set>

#include "device/cgroup.h"
#include "device/device.h"
#include "device/home_quota.h"
#include "device/weights_view.h"
#include "device/privilege.h"

namespace redline {
namespace {

// "<pid>-<start ticks>", both decimal.
bool IsOwnerName(const std::string& name) {
  size_t dash = name.find('-');
  if (dash == 0 || dash == std::string::npos || dash + 1 == name.size())
    return false;
  for (size_t i = 0; i < name.size(); ++i)
    if (i != dash && (name[i] < '0' || name[i] > '9')) return false;
  return true;
}

std::vector<std::string> SubDirs(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return names;
  while (struct dirent* e = ::readdir(d)) {
    if (e->d_type == DT_DIR && e->d_name[0] != '.') names.push_back(e->d_name);
  }
  ::closedir(d);
  return names;
}

// owner → its device names, over every hierarchy (v1 has three copies).
std::map<std::string, std::set<std::string>> FindStale(
    const CgroupLayout& layout) {
  std::map<std::string, std::set<std::string>> stale;
  for (const std::string& root : layout.Roots()) {
    std::string top = root + "/" + kCgroupTop;
    for (const std::string& owner : SubDirs(top)) {
      if (!IsOwnerName(owner) || OwnerAlive(owner)) continue;
      std::set<std::string>& devices = stale[owner];
      for (const std::string& device : SubDirs(top + "/" + owner))
        devices.insert(device);
    }
  }
  return stale;
}

std::string RemoveDevice(const CgroupLayout& layout,
                         const std::string& relative) {
  Cgroup cgroup = Cgroup::Adopt(layout, relative);
  try {
    int killed = cgroup.Kill(5.0);
    cgroup.Remove();
    return "removed stale device cgroup " + relative + " (" +
           std::to_string(killed) + " processes killed)";
  } catch (const std::exception& e) {
    cgroup.Release();  // reported; the destructor would only try again
    return "could not remove stale device cgroup " + relative + ": " +
           e.what();
  }
}

}  // namespace

std::vector<std::string> RemoveStaleDevices() {
  CgroupLayout layout = DetectCgroupLayout();
  std::vector<std::string> lines;
  std::string notice = UnprivilegedNotice();
  if (!notice.empty()) lines.push_back(notice);
  if (!HarnessIsRoot()) {
    // Homes are mounted only by root; other users' cgroups are not ours to
    // remove (we could only fail, once per run).
    if (!CgroupsUsable(layout)) return lines;
  } else {
    // Views first: they may lie inside a stale home.
    std::vector<std::string> views = RemoveStaleWeightViews();
    lines.insert(lines.end(), views.begin(), views.end());
    std::vector<std::string> homes = RemoveStaleHomes();
    lines.insert(lines.end(), homes.begin(), homes.end());
  }
  for (const auto& [owner, devices] : FindStale(layout)) {
    std::string parent = std::string(kCgroupTop) + "/" + owner;
    for (const std::string& device : devices)
      lines.push_back(RemoveDevice(layout, parent + "/" + device));
    bool removed = false;
    for (const std::string& root : layout.Roots())
      removed |= ::rmdir((root + "/" + parent).c_str()) == 0;
    if (devices.empty() && removed)
      lines.push_back("removed stale cgroup " + parent);
  }
  return lines;
}

}  // namespace redline
