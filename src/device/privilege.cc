#include "device/privilege.h"

#include <unistd.h>

#include "device/cgroup.h"
#include "device/device.h"
#include "device/proc.h"

namespace redline {
namespace {

bool Writable(const std::string& root) {
  std::string top = root + "/" + kCgroupTop;
  if (::access(top.c_str(), F_OK) == 0) return ::access(top.c_str(), W_OK) == 0;
  return ::access(root.c_str(), W_OK) == 0;
}

}  // namespace

bool HarnessIsRoot() { return ::geteuid() == 0; }

bool CgroupsUsable(const CgroupLayout& layout) {
  if (HarnessIsRoot()) return true;
  std::vector<std::string> roots = layout.Roots();
  if (roots.empty()) return false;
  for (const std::string& root : roots)
    if (!Writable(root)) return false;
  return true;
}

std::vector<ResourceLimit> FallbackLimits(const DeviceSpec& spec,
                                          bool have_cgroup) {
  std::vector<ResourceLimit> limits = {{RLIMIT_CORE, 0}};
  if (spec.disk_limit_bytes > 0)
    limits.push_back({RLIMIT_FSIZE, static_cast<rlim_t>(spec.disk_limit_bytes)});
  if (have_cgroup) return limits;
  // The kernel checks RLIMIT_NPROC against every thread of the real uid, so
  // the device may add pids_limit to what the user runs right now.
  if (spec.pids_limit > 0)
    limits.push_back({RLIMIT_NPROC, static_cast<rlim_t>(
                                        UserThreadCount(::getuid()) +
                                        spec.pids_limit)});
  // RLIMIT_DATA, not RLIMIT_AS: runtimes reserve large PROT_NONE ranges
  // that RLIMIT_AS would refuse and that use no memory.
  if (spec.memory_limit_bytes > 0)
    limits.push_back({RLIMIT_DATA, static_cast<rlim_t>(spec.memory_limit_bytes)});
  return limits;
}

std::string UnprivilegedNotice() {
  if (HarnessIsRoot()) return "";
  std::string line = "running unprivileged: ";
  if (CgroupsUsable(DetectCgroupLayout())) {
    line += "delegated cgroup in use (pids and memory limits as usual)";
  } else {
    line += "no cgroup delegation; using rlimits (RLIMIT_NPROC counts all of "
            "this user's processes, RLIMIT_DATA limits each process's memory, "
            "not the device's total)";
  }
  line += "; disk limit per file only (RLIMIT_FSIZE; /tmp and /run are "
          "size-capped tmpfs, the home is not); "
          "absent programs are hidden instead (\"Permission denied\", not "
          "\"command not found\")";
  return line;
}

}  // namespace redline
