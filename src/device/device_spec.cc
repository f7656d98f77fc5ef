#include "device/device_spec.h"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <cstring>

#include "base/error.h"
#include "device/device_user.h"

namespace redline {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '_';
}

[[noreturn]] void Reject(const std::string& field, const std::string& value,
                         const std::string& problem) {
  throw InputError("device spec: " + field + " \"" + value + "\" " + problem);
}

void CheckName(const std::string& name) {
  if (name.empty()) Reject("name", name, "is empty");
  if (name.size() > kMaxDeviceName)
    Reject("name", name.substr(0, 20) + "…", "is longer than 64 characters");
  for (char c : name)
    if (!IsNameChar(c))
      Reject("name", name, "may only hold letters, digits, '-' and '_'");
}

std::string CanonicalDir(const std::string& field, const std::string& path) {
  if (path.empty()) Reject(field, path, "is empty");
  char resolved[PATH_MAX];
  if (!::realpath(path.c_str(), resolved))
    Reject(field, path, std::string("cannot be used: ") + std::strerror(errno));
  struct stat st;
  if (::stat(resolved, &st) != 0 || !S_ISDIR(st.st_mode))
    Reject(field, path, "is not a directory");
  return resolved;
}

std::string CanonicalExecutable(const std::string& field,
                                const std::string& path) {
  if (path.empty()) Reject(field, path, "is empty");
  char resolved[PATH_MAX];
  if (!::realpath(path.c_str(), resolved))
    Reject(field, path, std::string("cannot be used: ") + std::strerror(errno));
  struct stat st;
  if (::stat(resolved, &st) != 0 || !S_ISREG(st.st_mode) ||
      ::access(resolved, X_OK) != 0)
    Reject(field, path, "is not an executable file");
  return resolved;
}

std::string ParentOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

// A root harness runs bwrap as an unprivileged user (see DeviceHostUid),
// which must be able to reach what it binds.
void CheckReachable(const std::string& field, const std::string& path,
                    const std::string& checked) {
  std::string blocker = UnreachableBy(checked, S_IXOTH);
  if (blocker.empty()) return;
  Reject(field, path,
         "is not reachable by uid " + std::to_string(DeviceHostUid()) +
             ", which devices run as when redline runs as root: " + blocker +
             "; use a directory every user can reach, or chmod o+x it");
}

// The view covers a directory the harness deployed in the home, never a
// path that leaves it.
void CheckWeightsView(DeviceSpec* out) {
  out->weights_view_source = CanonicalDir("weights_view_source", out->weights_view_source);
  const std::string& in_home = out->weights_view_in_home;
  if (in_home.empty() || in_home.front() == '/' || in_home.find("..") != std::string::npos)
    Reject("weights_view_in_home", in_home, "is not a path inside the home");
  struct stat st;
  std::string at = out->home_dir + "/" + in_home;
  if (::lstat(at.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    Reject("weights_view_in_home", in_home, "is not a directory of the home");
  if (::geteuid() != 0)
    Reject("weights_view_source", out->weights_view_source, "needs root (an overlay mount)");
}

}  // namespace

DeviceSpec ValidateDeviceSpec(const DeviceSpec& spec) {
  DeviceSpec out = spec;
  CheckName(spec.name);
  out.home_dir = CanonicalDir("home_dir", spec.home_dir);
  out.broker_dir = CanonicalDir("broker_dir", spec.broker_dir);
  out.devinit_path = CanonicalExecutable("devinit_path", spec.devinit_path);
  if (spec.pids_limit < 0 || (spec.pids_limit > 0 && spec.pids_limit < kMinPidsLimit))
    Reject("pids_limit", std::to_string(spec.pids_limit),
           "must be 0 (no limit) or at least " + std::to_string(kMinPidsLimit));
  if (spec.memory_limit_bytes > 0 && spec.memory_limit_bytes < kMinMemoryLimit)
    Reject("memory_limit_bytes", std::to_string(spec.memory_limit_bytes),
           "must be 0 (no limit) or at least 16 MiB");
  if (DeviceDropsRoot()) {
    // The directories themselves are handed over by GiveToDevice.
    CheckReachable("home_dir", out.home_dir, ParentOf(out.home_dir));
    CheckReachable("broker_dir", out.broker_dir, ParentOf(out.broker_dir));
    CheckReachable("devinit_path", out.devinit_path, out.devinit_path);
  }
  for (const std::string& program : spec.hidden_programs) {
    if (program.empty() || program == "." || program == ".." ||
        program.find('/') != std::string::npos)
      Reject("hidden_programs entry", program, "is not a program name");
  }
  for (const std::string& program : spec.absent_programs) {
    if (program.empty() || program == "." || program == ".." ||
        program.find_first_of("/:,\\") != std::string::npos)
      Reject("absent_programs entry", program, "is not a program name");
  }
  for (const std::string& node : spec.device_nodes) {
    struct stat st;
    if (!node.starts_with("/dev/") || ::stat(node.c_str(), &st) != 0 ||
        !(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
      Reject("device_nodes entry", node, "is not a device node under /dev");
  }
  if (spec.disk_limit_bytes > 0 && spec.disk_limit_bytes < kMinDiskLimit)
    Reject("disk_limit_bytes", std::to_string(spec.disk_limit_bytes),
           "must be 0 (no limit) or at least 1 MiB");
  for (const DeviceSpec::ReadOnlyBind& b : spec.ro_binds) {
    if (b.host_path.empty() || b.host_path.front() != '/' || ::access(b.host_path.c_str(), R_OK) != 0)
      Reject("ro_binds host_path", b.host_path, "is not a readable absolute path");
    if (b.device_path.empty() || b.device_path.front() != '/' ||
        b.device_path.find("..") != std::string::npos)
      Reject("ro_binds device_path", b.device_path, "is not an absolute path");
  }
  if (!spec.netns_path.empty() && (spec.netns_path.front() != '/' ||
                                   ::access(spec.netns_path.c_str(), R_OK) != 0))
    Reject("netns_path", spec.netns_path, "is not a readable network namespace file");
  if (!spec.netns_path.empty() && ::geteuid() != 0)
    Reject("netns_path", spec.netns_path, "needs root (the harness joins it with setns)");
  if (!spec.weights_view_source.empty()) CheckWeightsView(&out);
  // Unprivileged, both have stand-ins (see device/privilege.h).
  return out;
}

}  // namespace redline
