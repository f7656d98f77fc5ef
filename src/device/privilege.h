// What a harness that is not root cannot do, and what the device does
// instead. As root a device gets a cgroup (pids, memory), a size-limited
// tmpfs home and overlay-absent programs; as an ordinary user (unprivileged
// user namespaces) it gets rlimits, a per-file size limit and hidden
// programs. docs/containment.md ("root vs unprivileged") says what is lost.
#ifndef REDLINE_DEVICE_PRIVILEGE_H_
#define REDLINE_DEVICE_PRIVILEGE_H_

#include <sys/resource.h>

#include <string>
#include <vector>

namespace redline {

struct CgroupLayout;
struct DeviceSpec;

/// True if the harness runs as root (euid 0).
bool HarnessIsRoot();

/// True if device cgroups can be created: as root, or when the redline top
/// directory (or, before it exists, the hierarchy root) of every hierarchy
/// is writable by this user (a delegated tree).
bool CgroupsUsable(const CgroupLayout& layout);

/// One limit for the launch child to set (soft = hard) before exec.
struct ResourceLimit {
  int resource = 0;
  rlim_t value = 0;
};

/// The rlimits that stand in for a cgroup: RLIMIT_NPROC = the threads this
/// user runs now + pids_limit (the kernel counts every process of the user,
/// not only the device's), RLIMIT_DATA = memory_limit_bytes (per process),
/// RLIMIT_FSIZE = disk_limit_bytes (per file), RLIMIT_CORE = 0. With
/// `have_cgroup`, only the last two (the cgroup limits pids and memory).
std::vector<ResourceLimit> FallbackLimits(const DeviceSpec& spec,
                                          bool have_cgroup);

/// "" as root; else the one line that says what runs differently, e.g.
/// "running unprivileged: no cgroup delegation; using rlimits (…)".
std::string UnprivilegedNotice();

}  // namespace redline

#endif  // REDLINE_DEVICE_PRIVILEGE_H_
