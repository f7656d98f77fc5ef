// The device: one sandbox per trial, made of Linux namespaces (user, pid,
// mount, net, uts, ipc) built by bubblewrap, plus a cgroup (pids, memory).
// Inside it runs redline-devinit as PID 1, which the model's processes cannot
// signal; it starts the AI system's processes when the harness asks and
// reaps orphans. Killing PID 1 makes the kernel kill everything in the pid
// namespace, which is how teardown cannot miss a process.
#ifndef REDLINE_DEVICE_DEVICE_H_
#define REDLINE_DEVICE_DEVICE_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace redline {

/// What a device looks like. Validated by Device::Start before anything runs.
struct DeviceSpec {
  /// Unique name (letters, digits, '-', '_'); names the cgroup.
  std::string name;
  /// Host directory bound read-write at /home/agent (the device's home).
  std::string home_dir;
  /// Host directory bound at /run/llm-backend; holds the broker socket.
  std::string broker_dir;
  /// Host path of the redline-devinit executable.
  std::string devinit_path;
  /// cgroup limits; 0 means no limit.
  uint64_t memory_limit_bytes = 2ull << 30;
  int pids_limit = 512;
  /// Program names hidden inside the device, for the `paper` environment
  /// profile: lsof, netstat, ss. /dev/null is bound read-only over each
  /// /usr/bin/<name>, /usr/sbin/<name>, /usr/local/{bin,sbin}/<name> that
  /// exists (and /bin, /sbin ones on hosts without merged /usr); running it
  /// fails with "Permission denied" (exit 126 in bash, 127 in dash), not
  /// "command not found".
  std::vector<std::string> hidden_programs;
  /// Program names truly absent in the device: each existing
  /// /usr/bin/<name>, /usr/sbin/<name>, /usr/local/{bin,sbin}/<name> (and
  /// /bin, /sbin ones on hosts without merged /usr) is covered by an
  /// overlay whiteout, so bash says "command not found" (exit 127), `ls`
  /// finds nothing and directory listings do not show it. As root (the
  /// overlay is mounted in a private mount namespace of the launch child;
  /// nothing is mounted on the host); unprivileged they are hidden instead,
  /// like hidden_programs.
  std::vector<std::string> absent_programs;
  /// Most bytes the device can store in its home (0 = no limit). The home
  /// becomes a tmpfs of that size for the device's lifetime: what the
  /// harness put there is copied in at Start, and what is there at Teardown
  /// is copied back to home_dir on the host before the tmpfs goes. Writes
  /// past it fail with ENOSPC. Its pages count against memory_limit_bytes
  /// too. As root; unprivileged it is RLIMIT_FSIZE (per file) and the size
  /// of the /tmp and /run tmpfs (device/privilege.h).
  uint64_t disk_limit_bytes = 2ull << 30;
  /// Size of each of the device's /tmp and /run tmpfs (0 = disk_limit_bytes):
  /// without it a model short of space in its home could copy there. The
  /// low-disk profile sets it to the home's free space.
  uint64_t scratch_limit_bytes = 0;
  /// Host device nodes passed into the device at the same path, e.g. a
  /// GPU's /dev/nvidia0, /dev/nvidiactl, /dev/nvidia-uvm for native mode.
  /// Each must be a character or block device.
  std::vector<std::string> device_nodes;
  /// If not empty: a network namespace made by the harness (e.g.
  /// /run/netns/NAME, world/private_network.h) that the device joins
  /// instead of a fresh loopback-only one. The namespace belongs to the
  /// host's user namespace, so nothing inside can change its addresses,
  /// routes or links. Needs root.
  std::string netns_path;
  /// Host files or folders bound read-only over paths inside, after the
  /// system folders (so one may replace /etc/passwd or /etc/ssh): what a
  /// device of a multi-device world needs (world/trial_world.h).
  struct ReadOnlyBind {
    std::string host_path;
    std::string device_path;
  };
  std::vector<ReadOnlyBind> ro_binds;
  /// If not empty: a host folder of weights that the device sees, writable
  /// and its own, at weights_view_in_home (a directory of the home, relative
  /// to it) without a copy: a copy-on-write overlay mounted for the
  /// device's lifetime (device/weights_view.h). Needs root.
  std::string weights_view_source;
  std::string weights_view_in_home;
};

/// Where the device's paths are, as seen from inside.
inline constexpr char kDeviceHome[] = "/home/agent";
inline constexpr char kDeviceBrokerDir[] = "/run/llm-backend";

/// A request to start one process inside the device, in its own session.
struct SpawnRequest {
  std::vector<std::string> argv;  ///< argv[0] is looked up in PATH
  std::string cwd;                ///< path inside the device; "" = home
  /// stdout+stderr go here (inside path; opened O_APPEND|O_CREAT, its
  /// directory must exist); "" = /dev/null. stdin is /dev/null.
  std::string log_path;
};

/// A running device. Move-only; the destructor tears it down.
class Device {
 public:
  /// Starts bwrap + devinit in a fresh cgroup (unprivileged without a
  /// delegated one: under rlimits, see device/privilege.h). Throws SystemError (or
  /// InputError for a bad spec). Returns once devinit answered its first
  /// message, so the device is ready to spawn.
  static std::unique_ptr<Device> Start(const DeviceSpec& spec);
  virtual ~Device() = default;

  /// Starts a process inside; returns its pid as seen from the host (exact
  /// even if the process has already exited). Throws SystemError if devinit
  /// cannot start it (what() names the failed step: chdir, open of the log,
  /// execvp…), InputError for an empty argv. Thread-safe (serialized).
  virtual pid_t Spawn(const SpawnRequest& request) = 0;
  /// Host pids of every process in the device (from the cgroup, or without
  /// one the members of devinit's pid namespace), devinit included; not bwrap's own process, which stays outside the namespaces.
  /// Empty after Teardown.
  virtual std::vector<pid_t> Pids() const = 0;
  /// Host pid of devinit (PID 1 inside).
  virtual pid_t InitPid() const = 0;
  /// How a process Spawn started has ended, as devinit (its parent) saw
  /// it: "exit status 3", "killed by signal 9 (Killed)"; "" while it runs,
  /// or if devinit cannot tell (not one of Spawn's, or the device is gone).
  /// Waits up to 1 s for devinit to reap a process that just died.
  virtual std::string ExitReport(pid_t host_pid) = 0;
  /// What the device's cgroup limits did so far, the non-zero counters
  /// only: "memory oom_kill 1, memory max 40, pids max 3"; "" if nothing
  /// (or no cgroup).
  virtual std::string LimitEvents() const = 0;
  /// An fd of the device's network namespace (/proc/<init>/ns/net), owned
  /// by the device, valid until Teardown.
  virtual int NetnsFd() const = 0;
  /// True while devinit (and so the device) is alive.
  virtual bool Alive() const = 0;
  /// True if the device ended because something inside asked it to reboot
  /// or power off (`reboot`, `shutdown`, `poweroff`, `halt`, `systemctl
  /// reboot`, or SIGINT to PID 1, as with a real init). Such a request ends
  /// this device only: PID 1 exits and the kernel kills the namespace. A
  /// direct reboot(2) fails with EPERM instead (no CAP_SYS_BOOT over the
  /// device's pid namespace). Waits up to 1 s for bwrap to exit once
  /// devinit is gone. Stays true after Teardown.
  virtual bool Rebooted() = 0;
  /// Kills every process of the device, waits until none is left, removes
  /// the cgroup. Idempotent (later calls return 0). Returns how many
  /// processes were still alive and had to be killed (devinit included).
  /// Throws SystemError if something survives.
  virtual int Teardown() = 0;
};

/// Host uid and gid of the device's user (uid 1000 inside). When the
/// harness runs as root they are nobody/nogroup (65534), never root: a
/// device whose user is host uid 0 (even without capabilities) may write
/// /proc/sys, e.g. kernel.core_pattern, which is a way out. Otherwise the
/// harness's own uid and gid.
uid_t DeviceHostUid();
gid_t DeviceHostGid();
/// chown -R `path` to DeviceHostUid/Gid, never following symlinks; a no-op
/// unless the harness runs as root. Device::Start does this for home_dir
/// and broker_dir. Use it for what the harness adds there later and the
/// device must write or connect to (the broker's socket, unless it is mode
/// 0666). Throws SystemError.
void GiveToDevice(const std::string& path);

/// Removes what dead redline processes left behind (cgroups whose owner
/// process no longer exists, and their processes). Returns one line per
/// thing removed, for the user to see; when not root, first the line that
/// says what runs differently unprivileged (UnprivilegedNotice), so every
/// command that starts devices states it once at its start.
std::vector<std::string> RemoveStaleDevices();

}  // namespace redline

#endif  // REDLINE_DEVICE_DEVICE_H_
