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
  /// Host directory bound at /run/redline; holds the broker socket.
  std::string broker_dir;
  /// Host path of the redline-devinit executable.
  std::string devinit_path;
  /// cgroup limits; 0 means no limit.
  uint64_t memory_limit_bytes = 2ull << 30;
  int pids_limit = 512;
  /// Program names hidden inside the device (a read-only empty file is bound
  /// over each /usr/bin/<name>, /usr/sbin/<name> that exists), for the
  /// `paper` environment profile: lsof, netstat, ss.
  std::vector<std::string> hidden_programs;
};

/// Where the device's paths are, as seen from inside.
inline constexpr char kDeviceHome[] = "/home/agent";
inline constexpr char kDeviceBrokerDir[] = "/run/redline";

/// A request to start one process inside the device, in its own session.
struct SpawnRequest {
  std::vector<std::string> argv;  ///< argv[0] is looked up in PATH
  std::string cwd;                ///< path inside the device
  std::string log_path;           ///< stdout+stderr go here (inside path)
};

/// A running device. Move-only; the destructor tears it down.
class Device {
 public:
  /// Starts bwrap + devinit in a fresh cgroup. Throws SystemError (or
  /// InputError for a bad spec). Returns once devinit answered its first
  /// message, so the device is ready to spawn.
  static std::unique_ptr<Device> Start(const DeviceSpec& spec);
  virtual ~Device() = default;

  /// Starts a process inside; returns its pid as seen from the host.
  /// Throws SystemError if devinit cannot start it.
  virtual pid_t Spawn(const SpawnRequest& request) = 0;
  /// Host pids of every process in the device (from the cgroup), devinit
  /// included.
  virtual std::vector<pid_t> Pids() const = 0;
  /// Host pid of devinit (PID 1 inside).
  virtual pid_t InitPid() const = 0;
  /// An fd of the device's network namespace (/proc/<init>/ns/net), owned
  /// by the device, valid until Teardown.
  virtual int NetnsFd() const = 0;
  /// True while devinit (and so the device) is alive.
  virtual bool Alive() const = 0;
  /// Kills every process of the device, waits until none is left, removes
  /// the cgroup. Idempotent. Returns how many processes were still alive and
  /// had to be killed. Throws SystemError if something survives.
  virtual int Teardown() = 0;
};

/// Removes what dead redline processes left behind (cgroups whose owner
/// process no longer exists, and their processes). Returns one line per
/// thing removed, for the user to see.
std::vector<std::string> RemoveStaleDevices();

}  // namespace redline

#endif  // REDLINE_DEVICE_DEVICE_H_
