// A device's cgroup, over cgroup v2 or v1.
//
// Devices live at redline/<harness pid>-<harness start time>/<name> in every
// hierarchy used: v2 /sys/fs/cgroup/…; v1 /sys/fs/cgroup/{pids,memory,
// freezer}/…. The per-harness parent tells RemoveStaleDevices whose a
// cgroup is: if that process no longer exists (with that start time), the
// cgroup is a leftover.
#ifndef REDLINE_DEVICE_CGROUP_H_
#define REDLINE_DEVICE_CGROUP_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/unique_fd.h"

namespace redline {

enum class CgroupVersion { kV1, kV2 };

/// Where the hierarchies are mounted. Empty strings: not available.
struct CgroupLayout {
  CgroupVersion version = CgroupVersion::kV2;
  std::string unified;  ///< v2 root, e.g. /sys/fs/cgroup
  std::string pids;     ///< v1 hierarchy roots
  std::string memory;
  std::string freezer;

  /// Every root in use (v2: one; v1: those mounted).
  std::vector<std::string> Roots() const;
};

/// The machine's layout: v2 when /sys/fs/cgroup/cgroup.controllers exists,
/// else v1 with whichever of the pids, memory, freezer hierarchies exist.
CgroupLayout DetectCgroupLayout();
/// Shorthand for DetectCgroupLayout().version.
CgroupVersion DetectCgroupVersion();

/// Top directory of all redline cgroups, relative to a hierarchy root.
inline constexpr char kCgroupTop[] = "redline";
/// "redline/<pid>-<start ticks>" for this process.
std::string OwnerCgroupPath();
/// True if `owner` ("<pid>-<start ticks>") names a process that still runs.
bool OwnerAlive(const std::string& owner);

struct CgroupLimits {
  uint64_t memory_bytes = 0;  ///< 0: no limit
  int pids = 0;               ///< 0: no limit
};

/// Owns one cgroup (a directory in each hierarchy). Move-only. The
/// destructor kills what is left in it and removes it, best effort; call
/// Kill and Remove to see errors.
class Cgroup {
 public:
  /// Creates `relative` (and its parents) in every hierarchy and writes the
  /// limits. Throws InputError if it already exists, SystemError naming the
  /// path otherwise (with a hint about delegation for EACCES).
  static Cgroup Create(const CgroupLayout& layout, const std::string& relative,
                       const CgroupLimits& limits);
  /// Takes over an existing cgroup (to clean up a leftover).
  static Cgroup Adopt(const CgroupLayout& layout, const std::string& relative);

  Cgroup(Cgroup&& other) noexcept;
  Cgroup& operator=(Cgroup&& other) noexcept;
  Cgroup(const Cgroup&) = delete;
  Cgroup& operator=(const Cgroup&) = delete;
  ~Cgroup();

  /// cgroup.procs of each hierarchy, opened for writing (O_CLOEXEC): a
  /// forked child joins by writing "0" to each before exec.
  std::vector<UniqueFd> OpenProcsFiles() const;
  /// Member processes (tgids), sorted, no duplicates; empty once removed.
  std::vector<pid_t> Pids() const;
  /// SIGKILLs every member until none is left (v2: cgroup.kill, or freeze
  /// + kill; v1: freezer FROZEN, kill, THAWED), waiting up to
  /// `timeout_seconds`. Returns how many distinct processes it signalled.
  /// Throws SystemError if members survive.
  int Kill(double timeout_seconds);
  /// rmdir in every hierarchy, then removes each parent below kCgroupTop
  /// that is left empty. Idempotent. Throws SystemError if busy.
  void Remove();
  /// Forgets the cgroup without killing or removing anything.
  void Release() { relative_.clear(); }
  /// The limits' event counters that are not zero, e.g. "memory oom_kill
  /// 1", "pids max 3" (v2 memory.events and pids.events; v1
  /// memory.oom_control, memory.failcnt and pids.events).
  std::vector<std::string> LimitEvents() const;
  /// The directories, one per hierarchy.
  std::vector<std::string> Dirs() const;
  const std::string& relative() const { return relative_; }

 private:
  Cgroup(const CgroupLayout& layout, const std::string& relative);
  std::string PrimaryDir() const;
  void Freeze(bool frozen) const;
  void KillOnce(std::vector<pid_t>* signalled) const;
  /// Kill + Remove, logging failures to stderr.
  void CleanUp() noexcept;

  CgroupLayout layout_;
  std::string relative_;  ///< "" once moved from or removed
};

}  // namespace redline

#endif  // REDLINE_DEVICE_CGROUP_H_
