// cgroups: the device puts each trial in a cgroup with pids.max (fork
// bombs) and a memory limit (memory bombs, /tmp filling), and kills it at
// teardown (freezer on v1). This reports the layout the device will use and
// proves delegation by creating a device cgroup with both limits, exactly as
// Device::Start does, and removing it.
#include <unistd.h>

#include <fstream>

#include "base/files.h"
#include "device/cgroup.h"
#include "doctor/host_checks.h"

namespace redline {
namespace {

constexpr char kName[] = "cgroups";

std::string ReadLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

bool HasWord(const std::string& words, const std::string& word) {
  return (" " + words + " ").find(" " + word + " ") != std::string::npos;
}

// v1 hierarchies mounted but not used by devices (cpu, blkio, …), from
// /proc/self/mounts.
std::string OtherV1Hierarchies() {
  std::ifstream mounts("/proc/self/mounts");
  std::string device, dir, type, rest, out;
  while (mounts >> device >> dir >> type && std::getline(mounts, rest)) {
    if (type != "cgroup") continue;
    std::string name = dir.substr(dir.rfind('/') + 1);
    if (name == "pids" || name == "memory" || name == "freezer") continue;
    out += (out.empty() ? "" : ", ") + name;
  }
  return out.empty() ? "none" : out;
}

Checks V2Checks(const CgroupLayout& layout) {
  std::string controllers = ReadLine(layout.unified + "/cgroup.controllers");
  Checks out{Ok(kName, "v2 at " + layout.unified + " (controllers: " + controllers + ")")};
  if (!HasWord(controllers, "pids"))
    out.push_back(Fail("cgroup pids", "no pids controller: no fork-bomb limit, and "
                       "devices cannot start with their default pids limit",
                       "enable the pids controller (kernel CONFIG_CGROUP_PIDS)"));
  if (!HasWord(controllers, "memory"))
    out.push_back(Fail("cgroup memory", "no memory controller: no memory limit per "
                       "device, and devices cannot start with their default limit",
                       "boot with cgroup_enable=memory (kernel command line)"));
  return out;
}

Checks V1Checks(const CgroupLayout& layout) {
  std::string used;
  for (auto [name, root] : {std::pair{"pids", &layout.pids},
                            {"memory", &layout.memory}, {"freezer", &layout.freezer}})
    if (!root->empty()) used += std::string(used.empty() ? "" : ", ") + name;
  std::string detail = "v1 (used: " + used + "; also mounted: " +
                       OtherV1Hierarchies() + ")";
  std::string unified = "/sys/fs/cgroup/unified/cgroup.controllers";
  if (PathExists(unified)) {
    std::string controllers = ReadLine(unified);
    detail += "; hybrid: a v2 hierarchy at /sys/fs/cgroup/unified beside it "
              "(controllers: " + (controllers.empty() ? "none" : controllers) +
              "), unused by devices";
  }
  Checks out{Ok(kName, detail)};
  if (layout.pids.empty())
    out.push_back(Fail("cgroup pids", "no v1 pids hierarchy: no fork-bomb limit, and "
                       "devices cannot start with their default pids limit",
                       "mkdir -p /sys/fs/cgroup/pids && mount -t cgroup -o pids "
                       "cgroup /sys/fs/cgroup/pids"));
  if (layout.memory.empty())
    out.push_back(Fail("cgroup memory", "no v1 memory hierarchy: no memory limit per "
                       "device, and devices cannot start with their default limit",
                       "mkdir -p /sys/fs/cgroup/memory && mount -t cgroup -o memory "
                       "cgroup /sys/fs/cgroup/memory"));
  if (layout.freezer.empty())
    out.push_back(Warn("cgroup freezer", "no v1 freezer hierarchy: teardown kills "
                       "without freezing first, so a fork bomb racing it may take "
                       "several rounds",
                       "mkdir -p /sys/fs/cgroup/freezer && mount -t cgroup -o freezer "
                       "cgroup /sys/fs/cgroup/freezer"));
  return out;
}

std::string DelegationFix(const CgroupLayout& layout) {
  if (::geteuid() == 0)
    return "check that /sys/fs/cgroup is mounted read-write (in a container: "
           "run it with --cgroupns=private and a writable cgroupfs)";
  if (layout.version == CgroupVersion::kV2)
    return "run redline in a delegated scope: systemd-run --user --scope -p "
           "Delegate=yes redline …, or as root";
  return "cgroup v1 has no safe delegation: run redline as root";
}

Check DelegationCheck(const CgroupLayout& layout) {
  const char* name = "cgroup delegation";
  std::string relative = OwnerCgroupPath() + "/doctor-check";
  try {
    Cgroup cgroup = Cgroup::Create(layout, relative, {64ull << 20, 16});
    cgroup.Remove();
    return Ok(name, "created and removed " + relative +
                        " with pids.max and a memory limit");
  } catch (const std::exception& e) {
    return Fail(name, std::string("cannot create a device cgroup: ") + e.what(),
                DelegationFix(layout));
  }
}

}  // namespace

Checks CgroupChecks() {
  CgroupLayout layout = DetectCgroupLayout();
  if (layout.Roots().empty())
    return {Fail(kName, "no cgroup hierarchy under /sys/fs/cgroup: no device can start",
                 "mount cgroupfs: mount -t cgroup2 none /sys/fs/cgroup")};
  Checks out = layout.version == CgroupVersion::kV2 ? V2Checks(layout) : V1Checks(layout);
  out.push_back(DelegationCheck(layout));
  return out;
}

}  // namespace redline
