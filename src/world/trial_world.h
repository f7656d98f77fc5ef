// A trial's world: the devices, networks and services its scenario needs.
// Most scenarios have one device, the original, on a loopback-only network
// of its own. allocated-device (the follow-up's protocol) adds a target
// device — its own namespaces, files and cgroup, starting with the base
// system only — a private network joining the two (private_network.h), a
// resource service on it (resource_service.h) and an SSH server in the
// target that start_instance switches on (ssh_access.h).
//
// The world is built in two steps, because the task names the service's
// address (the model is made from the task) and the devices need the
// broker's socket: Create (network, service), then StartDevices.
#ifndef REDLINE_WORLD_TRIAL_WORLD_H_
#define REDLINE_WORLD_TRIAL_WORLD_H_

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "device/device.h"
#include "scenario/environment_profile.h"
#include "world/resource_service.h"

namespace redline {

class PrivateNetwork;
class SshAccess;

/// The world kinds a scenario may name (Scenario::world).
inline constexpr char kWorldSingleDevice[] = "";
inline constexpr char kWorldAllocatedDevice[] = "allocated-device";

struct WorldPlan {
  std::string kind;      ///< kWorldSingleDevice or kWorldAllocatedDevice
  std::string work_dir;  ///< the trial's work folder (the world adds to it)
  /// How each device looks (environment_profile.h).
  EnvironmentProfile original_profile;
  EnvironmentProfile target_profile;  ///< allocated-device only
  /// Limits of each device (the target gets the same ones).
  uint64_t memory_limit_bytes = 4ull << 30;
  int pids_limit = 1024;
  uint64_t disk_limit_bytes = 2ull << 30;
  /// Host device nodes (GPUs) for the original, and for the target only.
  std::vector<std::string> device_nodes;
  std::vector<std::string> target_device_nodes;
  /// The original's home on the host as deployed, and its weights folder:
  /// the low-disk profile sizes the disks from them.
  std::string home_dir;
  std::string weights_dir;
  /// The weights are not stored in home_dir (a view of weights_dir):
  /// sizing by the home's content must add them.
  bool weights_outside_home = false;
  double startup_timeout_seconds = 30;
  /// One JSON object per world event (service requests, sshd), for the
  /// transcript.
  std::function<void(const std::string& json)> on_event;
};

/// Where the original's and the target's logs of harness-started
/// processes go, inside each device.
inline constexpr char kDeviceLogDir[] = "/home/agent/.system-logs";

class TrialWorld {
 public:
  /// The network and the service (allocated-device); nothing for one
  /// device. Throws std::runtime_error (InputError for a bad plan).
  static std::unique_ptr<TrialWorld> Create(const WorldPlan& plan);
  /// The service goes first (its handler starts sshd in the target), then
  /// the devices, then the network.
  ~TrialWorld();
  TrialWorld(const TrialWorld&) = delete;
  TrialWorld& operator=(const TrialWorld&) = delete;

  /// The task as the model reads it: {service_url} and {passport} filled.
  std::string Task(const std::string& scenario_task) const;

  /// Starts the original device from `original` (the trial's name and
  /// folders; the world adds the limits, the profile's absent programs and
  /// disk, its network and accounts) and the target, built like it from
  /// the plan. `on_started` sees each device's init pid at once (for
  /// Ctrl-C). Throws.
  void StartDevices(DeviceSpec original, const std::function<void(pid_t)>& on_started);

  Device& Original() { return *original_; }
  /// nullptr unless allocated-device.
  Device* Target() { return target_.get(); }
  bool Allocated() const { return plan_.kind == kWorldAllocatedDevice; }
  /// The target's home on the host ("" without one).
  std::string TargetHome() const;
  /// What the resource service saw (zeros without one).
  ResourceServiceStats ServiceStats() const;
  /// Processes the harness started in the target before the episode (the
  /// port holder); sshd starts later, when start_instance is called.
  std::vector<pid_t> TargetHarnessPids() const;
  /// The target's sshd (0 until start_instance).
  pid_t SshdPid() const { return sshd_pid_; }

  /// Tears the devices down; returns how many processes had to be killed.
  /// Throws SystemError if something survives. Idempotent.
  int Teardown();
  /// Every init pid of a running device, for Ctrl-C bookkeeping.
  std::vector<pid_t> InitPids() const;

 private:
  explicit TrialWorld(WorldPlan plan);
  void Connect();
  void ApplyLimits(const std::vector<std::string>& device_nodes,
                   const EnvironmentProfile& profile, DeviceSpec* spec) const;
  DeviceSpec OriginalSpec(DeviceSpec original) const;
  DeviceSpec TargetSpec(const DeviceSpec& original) const;
  InstanceGrant Allocate();

  WorldPlan plan_;
  std::string client_id_, client_secret_;
  std::unique_ptr<PrivateNetwork> network_;
  std::unique_ptr<SshAccess> ssh_;
  std::vector<DeviceSpec::ReadOnlyBind> accounts_;
  // The service's threads call Allocate, which uses target_: the service
  // is declared after the devices, so it goes first.
  std::unique_ptr<Device> original_, target_;
  std::unique_ptr<ResourceService> service_;
  pid_t sshd_pid_ = 0;
  pid_t target_port_holder_ = 0;
};

/// The ports a second instance takes first in an empty target: the usual
/// ones, and the next ones as in the port-taken profile.
std::vector<int> TargetTakenPorts(const EnvironmentProfile& profile);

}  // namespace redline

#endif  // REDLINE_WORLD_TRIAL_WORLD_H_
