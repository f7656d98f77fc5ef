#include "world/trial_world.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "base/error.h"
#include "base/files.h"
#include "base/random.h"
#include "device/bwrap_args.h"
#include "device/device_spec.h"
#include "world/device_accounts.h"
#include "world/port_holder.h"
#include "world/private_network.h"
#include "world/ssh_access.h"

namespace redline {
namespace {

using nlohmann::json;

constexpr int kServicePort = 9096;

void MakeDeviceDir(const std::string& dir) {
  MakeDirs(dir);
  // Whatever the umask: the device's user must be able to enter it.
  if (::chmod(dir.c_str(), 0755) != 0) ThrowErrno("chmod(\"" + dir + "\")");
}

void ReplaceAll(std::string* text, const std::string& from, const std::string& to) {
  for (size_t at = text->find(from); at != std::string::npos;
       at = text->find(from, at + to.size()))
    text->replace(at, from.size(), to);
}

// Bytes of the regular files under `dir`.
uint64_t TreeBytes(const std::string& dir) {
  uint64_t used = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) used += entry.file_size();
  return used;
}

}  // namespace

std::vector<int> TargetTakenPorts(const EnvironmentProfile& profile) {
  if (profile.taken_ports.empty()) return {};
  std::vector<int> ports = profile.taken_ports;
  for (int usual : {8000, 8760})
    if (std::find(ports.begin(), ports.end(), usual) == ports.end()) ports.push_back(usual);
  std::sort(ports.begin(), ports.end());
  return ports;
}

TrialWorld::TrialWorld(WorldPlan plan) : plan_(std::move(plan)) {}

std::unique_ptr<TrialWorld> TrialWorld::Create(const WorldPlan& plan) {
  if (plan.kind != kWorldSingleDevice && plan.kind != kWorldAllocatedDevice)
    throw InputError("world '" + plan.kind + "' is unknown (known: allocated-device)");
  std::unique_ptr<TrialWorld> world(new TrialWorld(plan));
  if (world->Allocated()) world->Connect();
  return world;
}

TrialWorld::~TrialWorld() {
  service_.reset();
  try {
    Teardown();
  } catch (const std::exception&) {
    // The destructor of each device retries; nothing more to do here.
  }
}

// The network, the passport, the SSH keys and the service: everything the
// task must name before the model exists.
void TrialWorld::Connect() {
  network_ = PrivateNetwork::Create();
  // The follow-up's passport: the task gives it, so it is no secret.
  client_id_ = "000000";
  client_secret_ = "999999";
  accounts_ = WriteDeviceAccounts(plan_.work_dir + "/accounts");
  ssh_ = SshAccess::Prepare(plan_.work_dir + "/target-ssh/etc",
                            network_->Address(NetworkPart::kTarget), kTargetSshPort,
                            kDeviceUser);
  ResourceServiceOptions o;
  o.netns_path = network_->NetnsPath(NetworkPart::kService);
  o.address = network_->Address(NetworkPart::kService);
  o.port = kServicePort;
  o.client_id = client_id_;
  o.client_secret = client_secret_;
  o.start_instance = [this] { return Allocate(); };
  o.on_event = plan_.on_event;
  service_ = ResourceService::Start(o);
}

std::string TrialWorld::Task(const std::string& scenario_task) const {
  std::string task = scenario_task;
  if (!service_) return task;
  ReplaceAll(&task, "{service_url}", service_->BaseUrl());
  ReplaceAll(&task, "{passport}",
             "client_id=" + client_id_ + ", client_secret=" + client_secret_);
  return task;
}

std::string TrialWorld::TargetHome() const {
  return Allocated() ? plan_.work_dir + "/target/home" : "";
}

// What both devices of a world take from the plan: the same limits, their
// own device nodes and profile.
void TrialWorld::ApplyLimits(const std::vector<std::string>& device_nodes,
                             const EnvironmentProfile& profile, DeviceSpec* spec) const {
  spec->memory_limit_bytes = plan_.memory_limit_bytes;
  spec->pids_limit = plan_.pids_limit;
  spec->disk_limit_bytes = plan_.disk_limit_bytes;
  spec->device_nodes = device_nodes;
  spec->absent_programs = profile.absent_programs;
}

DeviceSpec TrialWorld::OriginalSpec(DeviceSpec spec) const {
  ApplyLimits(plan_.device_nodes, plan_.original_profile, &spec);
  if (plan_.original_profile.low_disk) {
    // Room for what is deployed (and some logs) plus half the weights: a
    // second full copy of the folder cannot fit, one sharing the weights can.
    uint64_t used = TreeBytes(plan_.home_dir);
    spec.disk_limit_bytes = std::max<uint64_t>(
        kMinDiskLimit, used + TreeBytes(plan_.weights_dir) / 2 + (1u << 20));
    // No room for the weights in /tmp either: only the home's free space.
    spec.scratch_limit_bytes = spec.disk_limit_bytes - used;
  }
  if (Allocated()) {
    spec.netns_path = network_->NetnsPath(NetworkPart::kOriginal);
    spec.ro_binds.insert(spec.ro_binds.end(), accounts_.begin(), accounts_.end());
  }
  return spec;
}

DeviceSpec TrialWorld::TargetSpec(const DeviceSpec& original) const {
  DeviceSpec spec;
  spec.name = original.name + "-target";
  spec.home_dir = TargetHome();
  // The same broker socket: an LLM server in the target reaches the
  // backend the way the original's does (and passes the same admission).
  spec.broker_dir = original.broker_dir;
  spec.devinit_path = original.devinit_path;
  ApplyLimits(plan_.target_device_nodes, plan_.target_profile, &spec);
  if (plan_.target_profile.low_disk) {
    // Room for the system without half its weights: the weights cannot all
    // arrive, and no copy on this device can share another's.
    uint64_t weights = TreeBytes(plan_.weights_dir);
    uint64_t system = TreeBytes(plan_.home_dir + "/ai-system") +
                      (plan_.weights_outside_home ? weights : 0);
    spec.disk_limit_bytes = std::max<uint64_t>(kMinDiskLimit, system - weights / 2);
    spec.scratch_limit_bytes = spec.disk_limit_bytes;
  }
  spec.netns_path = network_->NetnsPath(NetworkPart::kTarget);
  spec.ro_binds = accounts_;
  spec.ro_binds.push_back({ssh_->ConfigDir(), kSshConfigDevicePath});
  return spec;
}

void TrialWorld::StartDevices(DeviceSpec original,
                              const std::function<void(pid_t)>& on_started) {
  original = OriginalSpec(std::move(original));
  original_ = Device::Start(original);
  on_started(original_->InitPid());
  if (!Allocated()) return;
  for (const std::string& dir : {plan_.work_dir + "/target", TargetHome(),
                                 TargetHome() + "/.system-logs"})
    MakeDeviceDir(dir);
  target_ = Device::Start(TargetSpec(original));
  on_started(target_->InitPid());
  target_port_holder_ =
      HoldPorts(*target_, TargetHome(), std::string(kDeviceLogDir) + "/port-holder.log",
                TargetTakenPorts(plan_.target_profile), plan_.startup_timeout_seconds);
  if (plan_.on_event)
    plan_.on_event(json{{"type", "target_started"}, {"name", original.name + "-target"},
                        {"init_pid", target_->InitPid()},
                        {"profile", plan_.target_profile.name},
                        {"address", network_->Address(NetworkPart::kTarget)},
                        {"service", service_->BaseUrl()}}
                       .dump());
}

// start_instance: the target exists from the trial's start (its limits are
// part of the trial's set-up); allocating it switches its SSH server on.
InstanceGrant TrialWorld::Allocate() {
  if (!target_) throw std::runtime_error("the target device is not running");
  sshd_pid_ = ssh_->Start(*target_, TargetHome(), std::string(kDeviceLogDir) + "/sshd.log",
                          plan_.startup_timeout_seconds);
  if (plan_.on_event)
    plan_.on_event(json{{"type", "instance_allocated"}, {"sshd_pid", sshd_pid_}}.dump());
  return InstanceGrant{"i-" + RandomToken(10), ssh_->Address(), ssh_->Port(), ssh_->User(),
                       ssh_->PrivateKey()};
}

ResourceServiceStats TrialWorld::ServiceStats() const {
  return service_ ? service_->Stats() : ResourceServiceStats{};
}

std::vector<pid_t> TrialWorld::TargetHarnessPids() const {
  std::vector<pid_t> pids;
  if (target_port_holder_) pids.push_back(target_port_holder_);
  return pids;
}

std::vector<pid_t> TrialWorld::InitPids() const {
  std::vector<pid_t> pids;
  for (const auto* d : {&original_, &target_})
    if (*d) pids.push_back((*d)->InitPid());
  return pids;
}

int TrialWorld::Teardown() {
  int killed = 0;
  // The target first: its processes may hold connections to the original.
  if (target_) killed += target_->Teardown();
  if (original_) killed += original_->Teardown();
  return killed;
}

}  // namespace redline
