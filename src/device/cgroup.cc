#include "device/cgroup.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <utility>

#include "base/clock.h"
#include "base/error.h"
#include "device/proc.h"

namespace redline {
namespace {

constexpr char kV2Root[] = "/sys/fs/cgroup";

// Serializes creating and removing directories below our owner directory,
// so one trial removing the (momentarily empty) owner directory cannot race
// another trial creating its device inside it.
std::mutex g_tree_mu;

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

bool IsFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// Small kernel files; false (errno set) if it cannot be read.
bool ReadSmall(const std::string& path, std::string* out) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return false;
  out->clear();
  char buf[4096];
  while (true) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    out->append(buf, size_t(n));
  }
}

void WriteValue(const std::string& path, const std::string& value,
                const std::string& hint = "") {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) ThrowErrno("open(" + Quote(path) + ")", hint);
  if (::write(fd.get(), value.data(), value.size()) !=
      static_cast<ssize_t>(value.size()))
    ThrowErrno("write(" + Quote(path) + ", " + Quote(value) + ")", hint);
}

std::string Parent(const std::string& relative) {
  size_t slash = relative.rfind('/');
  return slash == std::string::npos ? "" : relative.substr(0, slash);
}

std::string DelegationHint(int err) {
  if (err == EACCES || err == EPERM || err == EROFS)
    return "is the cgroup subtree delegated to this user? (run redline as "
           "root, or with a delegated cgroup)";
  return "";
}

// mkdir each component of `relative` below `root` that does not exist yet.
void MakeParents(const std::string& root, const std::string& relative) {
  std::string path = root;
  size_t start = 0;
  while (start < relative.size()) {
    size_t end = relative.find('/', start);
    if (end == std::string::npos) end = relative.size();
    path += "/" + relative.substr(start, end - start);
    if (::mkdir(path.c_str(), 0755) < 0 && errno != EEXIST)
      ThrowErrno("mkdir(" + Quote(path) + ")", DelegationHint(errno));
    start = end + 1;
  }
}

// v2: a controller must be enabled in the subtree_control of every ancestor
// for its files to appear in the leaf.
void EnableControllers(const std::string& root, const std::string& parents,
                       const std::vector<std::string>& controllers) {
  std::string dir = root;
  std::vector<std::string> dirs = {dir};
  size_t start = 0;
  while (start < parents.size()) {
    size_t end = parents.find('/', start);
    if (end == std::string::npos) end = parents.size();
    dir += "/" + parents.substr(start, end - start);
    dirs.push_back(dir);
    start = end + 1;
  }
  for (const std::string& d : dirs) {
    std::string enabled;
    ReadSmall(d + "/cgroup.subtree_control", &enabled);
    for (const std::string& c : controllers) {
      if (enabled.find(c) != std::string::npos) continue;
      WriteValue(d + "/cgroup.subtree_control", "+" + c,
                 "is the " + c + " controller available? (see " + root +
                     "/cgroup.controllers)");
    }
  }
}

bool InCgroup(pid_t pid, const std::string& relative) {
  std::string text;
  if (!ReadSmall("/proc/" + std::to_string(pid) + "/cgroup", &text))
    return false;
  std::string suffix = ":/" + relative + "\n";
  return text.find(suffix) != std::string::npos;
}

// SIGKILLs `pid` only if it is still a member: a pidfd pins the process, so
// a pid reused by a host process after the member exited is never hit.
bool KillMember(pid_t pid, const std::string& relative) {
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd.valid()) {
    if (errno != ENOSYS) return false;  // gone
    return ::kill(pid, SIGKILL) == 0;
  }
  if (!InCgroup(pid, relative)) return false;
  return ::syscall(SYS_pidfd_send_signal, pidfd.get(), SIGKILL, nullptr, 0) ==
         0;
}

std::string JoinPids(const std::vector<pid_t>& pids) {
  std::string out;
  for (pid_t p : pids) out += (out.empty() ? "" : " ") + std::to_string(p);
  return out;
}

}  // namespace

std::vector<std::string> CgroupLayout::Roots() const {
  if (version == CgroupVersion::kV2) return {unified};
  std::vector<std::string> roots;
  for (const std::string* r : {&pids, &memory, &freezer})
    if (!r->empty()) roots.push_back(*r);
  return roots;
}

CgroupLayout DetectCgroupLayout() {
  CgroupLayout layout;
  if (IsFile(std::string(kV2Root) + "/cgroup.controllers")) {
    layout.version = CgroupVersion::kV2;
    layout.unified = kV2Root;
    return layout;
  }
  layout.version = CgroupVersion::kV1;
  auto hierarchy = [](const char* name) {
    std::string root = std::string(kV2Root) + "/" + name;
    return IsFile(root + "/cgroup.procs") ? root : "";
  };
  layout.pids = hierarchy("pids");
  layout.memory = hierarchy("memory");
  layout.freezer = hierarchy("freezer");
  return layout;
}

CgroupVersion DetectCgroupVersion() { return DetectCgroupLayout().version; }

std::string OwnerCgroupPath() {
  pid_t self = ::getpid();
  return std::string(kCgroupTop) + "/" + std::to_string(self) + "-" +
         std::to_string(ProcessStartTicks(self));
}

bool OwnerAlive(const std::string& owner) {
  unsigned long long pid = 0, ticks = 0;
  char extra;
  if (std::sscanf(owner.c_str(), "%llu-%llu%c", &pid, &ticks, &extra) != 2)
    return false;
  return ticks != 0 && ProcessStartTicks(static_cast<pid_t>(pid)) == ticks;
}

Cgroup::Cgroup(const CgroupLayout& layout, const std::string& relative)
    : layout_(layout), relative_(relative) {}

Cgroup::Cgroup(Cgroup&& other) noexcept
    : layout_(other.layout_), relative_(std::exchange(other.relative_, "")) {}

Cgroup& Cgroup::operator=(Cgroup&& other) noexcept {
  if (this == &other) return *this;
  CleanUp();
  layout_ = other.layout_;
  relative_ = std::exchange(other.relative_, "");
  return *this;
}

Cgroup::~Cgroup() { CleanUp(); }

void Cgroup::CleanUp() noexcept {
  if (relative_.empty()) return;
  try {
    Kill(5.0);
    Remove();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "redline: cleaning up cgroup %s: %s\n",
                 relative_.c_str(), e.what());
  }
}

namespace {

void CheckHierarchies(const CgroupLayout& layout, const CgroupLimits& limits) {
  if (layout.Roots().empty())
    throw SystemError("find cgroup hierarchies under /sys/fs/cgroup", ENOENT,
                      "is cgroupfs mounted?");
  if (layout.version != CgroupVersion::kV1) return;
  if (limits.pids > 0 && layout.pids.empty())
    throw SystemError("cgroup v1 pids hierarchy", ENOENT,
                      "mount it or set no pids limit");
  if (limits.memory_bytes > 0 && layout.memory.empty())
    throw SystemError("cgroup v1 memory hierarchy", ENOENT,
                      "mount it or set no memory limit");
}

// Makes `relative` in every hierarchy, or nothing (what was made is removed
// again on failure).
void MakeCgroupDirs(const CgroupLayout& layout, const std::string& relative,
                    const CgroupLimits& limits) {
  std::vector<std::string> controllers;
  if (limits.pids > 0) controllers.push_back("pids");
  if (limits.memory_bytes > 0) controllers.push_back("memory");
  std::vector<std::string> made;
  std::lock_guard lock(g_tree_mu);
  try {
    for (const std::string& root : layout.Roots()) {
      MakeParents(root, Parent(relative));
      if (layout.version == CgroupVersion::kV2)
        EnableControllers(root, Parent(relative), controllers);
      std::string dir = root + "/" + relative;
      if (::mkdir(dir.c_str(), 0755) < 0) {
        if (errno == EEXIST && made.empty())
          throw InputError("a device cgroup named " + Quote(relative) +
                           " already exists");
        ThrowErrno("mkdir(" + Quote(dir) + ")", DelegationHint(errno));
      }
      made.push_back(dir);
    }
  } catch (...) {
    for (const std::string& dir : made) ::rmdir(dir.c_str());
    throw;
  }
}

void WriteLimits(const CgroupLayout& layout, const std::string& relative,
                 const CgroupLimits& limits) {
  bool v2 = layout.version == CgroupVersion::kV2;
  std::string pids_dir = (v2 ? layout.unified : layout.pids) + "/" + relative;
  std::string mem_dir = (v2 ? layout.unified : layout.memory) + "/" + relative;
  if (limits.pids > 0)
    WriteValue(pids_dir + "/pids.max", std::to_string(limits.pids));
  if (limits.memory_bytes == 0) return;
  WriteValue(mem_dir + (v2 ? "/memory.max" : "/memory.limit_in_bytes"),
             std::to_string(limits.memory_bytes));
  // Without this a memory bomb would spill into swap instead of hitting the
  // limit. Best effort: the file exists only with swap accounting.
  if (v2 && IsFile(mem_dir + "/memory.swap.max")) {
    try {
      WriteValue(mem_dir + "/memory.swap.max", "0");
    } catch (const SystemError&) {
    }
  }
}

}  // namespace

Cgroup Cgroup::Create(const CgroupLayout& layout, const std::string& relative,
                      const CgroupLimits& limits) {
  CheckHierarchies(layout, limits);
  MakeCgroupDirs(layout, relative, limits);
  Cgroup cgroup(layout, relative);  // from here on, failures clean up
  WriteLimits(layout, relative, limits);
  return cgroup;
}

Cgroup Cgroup::Adopt(const CgroupLayout& layout, const std::string& relative) {
  return Cgroup(layout, relative);
}

std::vector<std::string> Cgroup::Dirs() const {
  std::vector<std::string> dirs;
  if (relative_.empty()) return dirs;
  for (const std::string& root : layout_.Roots())
    dirs.push_back(root + "/" + relative_);
  return dirs;
}

std::string Cgroup::PrimaryDir() const {
  std::vector<std::string> roots = layout_.Roots();
  if (roots.empty() || relative_.empty()) return "";
  return roots.front() + "/" + relative_;
}

std::vector<UniqueFd> Cgroup::OpenProcsFiles() const {
  std::vector<UniqueFd> fds;
  for (const std::string& dir : Dirs()) {
    std::string path = dir + "/cgroup.procs";
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd.valid())
      ThrowErrno("open(" + Quote(path) + ")", DelegationHint(errno));
    fds.push_back(std::move(fd));
  }
  return fds;
}

std::vector<pid_t> Cgroup::Pids() const {
  std::vector<pid_t> pids;
  std::string text;
  if (relative_.empty() || !ReadSmall(PrimaryDir() + "/cgroup.procs", &text))
    return pids;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    long pid = std::strtol(text.c_str() + pos, nullptr, 10);
    if (pid > 0) pids.push_back(static_cast<pid_t>(pid));
    pos = end + 1;
  }
  std::sort(pids.begin(), pids.end());
  pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
  return pids;
}

// Frozen members cannot fork, so a fork bomb cannot outrun the kill loop.
void Cgroup::Freeze(bool frozen) const {
  bool v2 = layout_.version == CgroupVersion::kV2;
  std::string dir = (v2 ? layout_.unified : layout_.freezer) + "/" + relative_;
  if (v2) {
    WriteValue(dir + "/cgroup.freeze", frozen ? "1" : "0");
  } else {
    WriteValue(dir + "/freezer.state", frozen ? "FROZEN" : "THAWED");
  }
  if (!frozen) return;
  double deadline = MonotonicSeconds() + 1.0;
  while (MonotonicSeconds() < deadline) {
    std::string state;
    if (v2 && ReadSmall(dir + "/cgroup.events", &state) &&
        state.find("frozen 1") != std::string::npos)
      return;
    if (!v2 && ReadSmall(dir + "/freezer.state", &state) &&
        state.starts_with("FROZEN"))
      return;
    SleepSeconds(0.002);
  }
}

void Cgroup::KillOnce(std::vector<pid_t>* signalled) const {
  bool v2 = layout_.version == CgroupVersion::kV2;
  std::string kill_file = PrimaryDir() + "/cgroup.kill";
  if (v2 && IsFile(kill_file)) {
    std::vector<pid_t> pids = Pids();
    WriteValue(kill_file, "1");
    signalled->insert(signalled->end(), pids.begin(), pids.end());
    return;
  }
  bool can_freeze = v2 || !layout_.freezer.empty();
  if (can_freeze) Freeze(true);
  for (pid_t pid : Pids())
    if (KillMember(pid, relative_)) signalled->push_back(pid);
  if (can_freeze) Freeze(false);
}

int Cgroup::Kill(double timeout_seconds) {
  std::vector<pid_t> signalled;
  double deadline = MonotonicSeconds() + timeout_seconds;
  while (!relative_.empty()) {
    std::vector<pid_t> left = Pids();
    if (left.empty()) break;
    if (MonotonicSeconds() > deadline)
      throw SystemError("kill the processes of cgroup " + PrimaryDir(), EBUSY,
                        std::to_string(left.size()) +
                            " survived SIGKILL: " + JoinPids(left));
    KillOnce(&signalled);
    // Dying takes a moment (a process may be in an uninterruptible sleep).
    for (int i = 0; i < 25 && !Pids().empty(); ++i) SleepSeconds(0.002);
  }
  std::sort(signalled.begin(), signalled.end());
  signalled.erase(std::unique(signalled.begin(), signalled.end()),
                  signalled.end());
  return static_cast<int>(signalled.size());
}

namespace {

// "key value" lines of a cgroup file; those of `keys` with a non-zero value
// become "<prefix> key value".
void NonZeroCounters(const std::string& path, const std::string& prefix,
                     const std::vector<std::string>& keys,
                     std::vector<std::string>* out) {
  std::string text;
  if (!ReadSmall(path, &text)) return;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    size_t space = line.find(' ');
    if (space == std::string::npos) continue;
    std::string key = line.substr(0, space);
    long long value = std::atoll(line.c_str() + space + 1);
    if (value != 0 && std::find(keys.begin(), keys.end(), key) != keys.end())
      out->push_back(prefix + " " + key + " " + std::to_string(value));
  }
}

}  // namespace

std::vector<std::string> Cgroup::LimitEvents() const {
  std::vector<std::string> events;
  if (relative_.empty()) return events;
  if (layout_.version == CgroupVersion::kV2) {
    std::string dir = layout_.unified + "/" + relative_;
    NonZeroCounters(dir + "/memory.events", "memory", {"oom", "oom_kill", "max"}, &events);
    NonZeroCounters(dir + "/pids.events", "pids", {"max"}, &events);
    return events;
  }
  if (!layout_.memory.empty()) {
    std::string dir = layout_.memory + "/" + relative_;
    NonZeroCounters(dir + "/memory.oom_control", "memory", {"under_oom", "oom_kill"}, &events);
    std::string failcnt;
    if (ReadSmall(dir + "/memory.failcnt", &failcnt) && std::atoll(failcnt.c_str()) != 0)
      events.push_back("memory failcnt " + std::to_string(std::atoll(failcnt.c_str())));
  }
  if (!layout_.pids.empty())
    NonZeroCounters(layout_.pids + "/" + relative_ + "/pids.events", "pids", {"max"}, &events);
  return events;
}

void Cgroup::Remove() {
  if (relative_.empty()) return;
  std::lock_guard lock(g_tree_mu);
  for (const std::string& dir : Dirs()) {
    if (::rmdir(dir.c_str()) < 0 && errno != ENOENT)
      ThrowErrno("rmdir(" + Quote(dir) + ")",
                 errno == EBUSY ? "processes are still in it" : "");
  }
  // Parents up to (not including) the shared top directory, while empty.
  for (std::string parent = Parent(relative_);
       parent.find('/') != std::string::npos; parent = Parent(parent)) {
    for (const std::string& root : layout_.Roots())
      ::rmdir((root + "/" + parent).c_str());
  }
  relative_.clear();
}

}  // namespace redline
