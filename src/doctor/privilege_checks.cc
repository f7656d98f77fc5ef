// Root or not. The device itself runs as nobody when the harness is root.
// Unprivileged, redline still runs (docs/containment.md): rlimits instead of
// cgroups unless a cgroup is delegated, no home tmpfs, hidden rather than
// absent programs; the checker reaches the device through its user
// namespace, which the user owns.
#include <unistd.h>

#include <fstream>

#include "doctor/host_checks.h"

namespace redline {
namespace {

constexpr int kCapSysAdmin = 21;

bool HasCapSysAdmin() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (!line.starts_with("CapEff:")) continue;
    unsigned long long caps = std::stoull(line.substr(7), nullptr, 16);
    return (caps >> kCapSysAdmin) & 1;
  }
  return false;
}

}  // namespace

Checks PrivilegeChecks() {
  if (::geteuid() == 0) {
    if (HasCapSysAdmin())
      return {Ok("privileges", "root (devices run as nobody, uid 65534)")};
    return {Fail("privileges",
                 "root without CAP_SYS_ADMIN: the checker cannot enter a "
                 "device's network namespace to probe replicas",
                 "run redline with CAP_SYS_ADMIN (not in a container that drops it)")};
  }
  return {Warn("privileges",
               "not root (uid " + std::to_string(::geteuid()) +
                   "): devices are limited by rlimits unless a cgroup is "
                   "delegated (per-process memory, per-file disk, a process "
                   "count shared with your other processes), and programs of "
                   "the paper profile are hidden, not absent",
               "for the full limits run as root (sudo redline …); see "
               "docs/containment.md, \"Root and unprivileged\"")};
}

}  // namespace redline
