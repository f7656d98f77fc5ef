// Root or not. The device itself runs as nobody when the harness is root;
// root is needed for the cgroups (unless delegated) and for the checker,
// which enters the device's network namespace (setns needs CAP_SYS_ADMIN).
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
                   "): devices need a delegated cgroup and the checker needs "
                   "CAP_SYS_ADMIN for setns; this mode is not tested",
               "run as root: sudo redline …")};
}

}  // namespace redline
