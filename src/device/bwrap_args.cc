#include "device/bwrap_args.h"

#include <unistd.h>

#include "device/control_channel.h"
#include "device/seccomp_filter.h"

namespace redline {
namespace {

// Appends `words` to `args`.
void Add(std::vector<std::string>* args,
         std::initializer_list<std::string> words) {
  args->insert(args->end(), words);
}

void AddEnvironment(std::vector<std::string>* args) {
  // bwrap applies --clearenv and --setenv while parsing, so order matters.
  Add(args, {"--clearenv"});
  Add(args, {"--setenv", "HOME", kDeviceHome});
  Add(args, {"--setenv", "PATH", kDevicePath});
  Add(args, {"--setenv", "USER", kDeviceUser});
  Add(args, {"--setenv", "LOGNAME", kDeviceUser});
}

void AddNamespaces(std::vector<std::string>* args, const DeviceSpec& spec) {
  Add(args, {"--unshare-all", "--unshare-user"});
  // The launcher already joined the trial's network (DeviceSpec::netns_path).
  if (!spec.netns_path.empty()) Add(args, {"--share-net"});
  // No nested user namespaces: less kernel surface for the model to probe.
  Add(args, {"--disable-userns"});
  Add(args, {"--uid", std::to_string(kDeviceUid), "--gid",
             std::to_string(kDeviceGid)});
  Add(args, {"--hostname", kDeviceHostname});
  // --new-session: no TIOCSTI into a terminal the harness may hold.
  // --as-pid-1: devinit itself is PID 1, so no one else reaps or shields.
  Add(args, {"--die-with-parent", "--new-session", "--as-pid-1"});
  // The system-call filter (seccomp_filter.h), read from this fd.
  Add(args, {"--seccomp", std::to_string(kDeviceSeccompFd)});
}

void AddSystemDirs(std::vector<std::string>* args, const HostLayout& host) {
  Add(args, {"--ro-bind", "/usr", "/usr"});
  for (const HostLayout::RootEntry& e : host.root_entries) {
    std::string path = "/" + e.name;
    if (e.symlink_target.empty()) {
      Add(args, {"--ro-bind", path, path});
    } else {
      Add(args, {"--symlink", e.symlink_target, path});
    }
  }
  Add(args, {"--ro-bind", "/etc", "/etc"});
  // /dev/null on these nodev mounts cannot be opened or executed.
  for (const std::string& f : host.masked_files)
    Add(args, {"--ro-bind", "/dev/null", f});
  for (const std::string& d : host.masked_dirs)
    Add(args, {"--perms", "0000", "--tmpfs", d, "--remount-ro", d});
  for (const std::string& p : host.hidden_paths)
    Add(args, {"--ro-bind", "/dev/null", p});
}

void AddDeviceDirs(std::vector<std::string>* args, const DeviceSpec& spec,
                   const HostLayout& host, uint64_t scratch_bytes) {
  Add(args, {"--proc", "/proc", "--dev", "/dev"});
  // Keyrings are not namespaced: a device running as the harness's user
  // would see the descriptions of that user's keys here (as Docker does).
  // (A kernel without keyrings has neither file: nothing to hide then.)
  for (const char* f : {"/proc/keys", "/proc/key-users"})
    if (::access(f, F_OK) == 0) Add(args, {"--ro-bind", "/dev/null", f});
  for (const std::string& node : spec.device_nodes) Add(args, {"--dev-bind", node, node});
  for (const char* dir : {"/tmp", "/run"}) {
    if (scratch_bytes > 0) Add(args, {"--size", std::to_string(scratch_bytes)});
    Add(args, {"--tmpfs", dir});
  }
  Add(args, {"--bind", spec.home_dir, kDeviceHome});
  Add(args, {"--bind", spec.broker_dir, kDeviceBrokerDir});
  Add(args, {"--ro-bind", spec.devinit_path, kDeviceInitPath});
  // devinit, run as reboot/shutdown/…, asks PID 1 to end the device.
  for (const std::string& p : host.shutdown_paths)
    Add(args, {"--ro-bind", spec.devinit_path, p});
  for (const DeviceSpec::ReadOnlyBind& b : spec.ro_binds)
    Add(args, {"--ro-bind", b.host_path, b.device_path});
  Add(args, {"--chdir", kDeviceHome});
}

}  // namespace

std::vector<std::string> BuildBwrapArgs(const std::string& bwrap_path,
                                        const DeviceSpec& spec,
                                        const HostLayout& host,
                                        uint64_t scratch_bytes) {
  std::vector<std::string> args = {bwrap_path};
  AddEnvironment(&args);
  AddNamespaces(&args, spec);
  AddSystemDirs(&args, host);
  AddDeviceDirs(&args, spec, host, scratch_bytes);
  Add(&args, {"--", kDeviceInitPath, "--control-fd",
              std::to_string(kDeviceControlFd)});
  return args;
}

std::vector<std::string> BwrapEnvironment() {
  return {"PATH=/usr/bin:/bin", "LC_ALL=C"};
}

}  // namespace redline
