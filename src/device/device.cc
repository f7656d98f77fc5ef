// BwrapDevice: the Device made of bubblewrap namespaces, a cgroup, and
// redline-devinit as PID 1. Start is the readable list of steps in Launch().
#include "device/device.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <atomic>
#include <mutex>
#include <optional>

#include "base/clock.h"
#include "base/error.h"
#include "base/unique_fd.h"
#include "device/absent_programs.h"
#include "device/bwrap_args.h"
#include "device/cgroup.h"
#include "device/control_channel.h"
#include "device/device_spec.h"
#include "device/device_user.h"
#include "device/home_quota.h"
#include "device/host_layout.h"
#include "device/launch.h"
#include "device/privilege.h"
#include "device/proc.h"
#include "device/seccomp_filter.h"
#include "device/weights_view.h"

namespace redline {
namespace {

constexpr double kStartTimeout = 10.0;
constexpr double kReplyTimeout = 10.0;
constexpr double kKillTimeout = 5.0;

std::string FindBwrap() {
  const char* env = std::getenv("PATH");
  std::string path = env && *env ? env : "/usr/local/bin:/usr/bin:/bin";
  path += ":/usr/bin";
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/bwrap";
    if (dir.starts_with("/") && ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    start = end + 1;
  }
  throw SystemError("find bwrap in PATH", ENOENT,
                    "install bubblewrap (e.g. apt install bubblewrap)");
}

// Waits for `fd` to become readable; false once `deadline` passed.
bool WaitReadable(int fd, double deadline) {
  while (true) {
    double left = deadline - MonotonicSeconds();
    if (left <= 0) return false;
    struct pollfd p = {fd, POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::ceil(left * 1000)));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return true;  // let recv report it
  }
}

// What bwrap wrote to its stderr, at most 64 KiB of it.
std::string ReadAvailable(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while (out.size() < (64u << 10) && (n = ::read(fd, buf, sizeof buf)) > 0)
    out.append(buf, size_t(n));
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

UniqueFd OpenPidfd(pid_t pid) {
  return UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
}

// True once every pidfd reports its process exited (a pidfd is readable
// then); false at `deadline`. Invalid fds (no pidfd support) are skipped.
bool WaitExited(const std::vector<UniqueFd>& pidfds, double deadline) {
  for (const UniqueFd& fd : pidfds) {
    if (!fd.valid()) continue;
    if (!WaitReadable(fd.get(), deadline)) return false;
  }
  return true;
}

class BwrapDevice final : public Device {
 public:
  explicit BwrapDevice(DeviceSpec spec) : spec_(std::move(spec)) {}
  ~BwrapDevice() override;

  /// Creates the cgroup, starts bwrap + devinit, waits for `ready`.
  void Launch();

  pid_t Spawn(const SpawnRequest& request) override;
  std::vector<pid_t> Pids() const override;
  pid_t InitPid() const override { return init_pid_; }
  std::string ExitReport(pid_t host_pid) override;
  std::string LimitEvents() const override;
  int NetnsFd() const override;
  bool Alive() const override;
  bool Rebooted() override;
  int Teardown() override;

 private:
  /// Makes the channel and bwrap's stderr pipe, then forks and execs bwrap.
  void StartBwrap(std::vector<std::string> argv,
                  const std::vector<OverlayMount>& overlays);
  /// Records devinit's pid namespace: without a cgroup, its members are
  /// the device's processes.
  void RecordPidNamespace();
  /// Without a cgroup: SIGKILLs whatever is still in the pid namespace.
  void KillNamespaceLeftovers();
  [[noreturn]] void FailStart(int err, const std::string& what);
  void WaitReady();
  int ReceiveBefore(double deadline, ControlMessage* message);
  pid_t AwaitSpawnReply(const std::string& what);
  void SignalInit(int sig);
  void ReapBwrap(double timeout_seconds);
  /// waitpid(bwrap, WNOHANG) once; records the status. Needs reap_mu_.
  bool TryReapLocked();
  /// Sets reboot_seen_ if devinit's `reboot` message is waiting.
  void PeekRebootMessage();

  const DeviceSpec spec_;
  std::unique_ptr<HomeQuota> quota_;  ///< torn down after the processes
  std::unique_ptr<WeightsView> weights_;  ///< inside the home: goes first
  std::optional<Cgroup> cgroup_;  ///< none when unprivileged, undelegated
  dev_t pidns_dev_ = 0;     ///< devinit's pid namespace (st_dev, st_ino)
  ino_t pidns_ino_ = 0;
  pid_t bwrap_pid_ = -1;    ///< the bwrap child of the harness; -1 if none
  std::mutex reap_mu_;      ///< guards the two below (Rebooted vs Teardown)
  bool bwrap_reaped_ = false;
  int bwrap_status_ = 0;    ///< wait status once reaped
  pid_t init_pid_ = 0;      ///< devinit's host pid, from its `ready`
  UniqueFd bwrap_stderr_;   ///< read end (non-blocking) of bwrap's stderr

  std::mutex control_mu_;   ///< one request/reply exchange at a time
  UniqueFd control_;        ///< harness end of the channel (SO_PASSCRED)
  bool channel_broken_ = false;
  std::atomic<bool> reboot_seen_{false};
  /// Host pid → pid inside, of what Spawn started (for ExitReport).
  std::vector<std::pair<pid_t, pid_t>> spawned_;  ///< guarded by control_mu_

  mutable std::mutex state_mu_;  ///< guards the fds below and torn_down_
  UniqueFd init_pidfd_;     ///< pins devinit: Alive() cannot be fooled by reuse
  UniqueFd netns_;
  bool torn_down_ = false;

  std::mutex teardown_mu_;
};

BwrapDevice::~BwrapDevice() {
  try {
    Teardown();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "redline: device %s: teardown failed: %s\n",
                 spec_.name.c_str(), e.what());
  }
}

// Unprivileged, nothing can be mounted: no tmpfs home (RLIMIT_FSIZE limits
// each file instead) and no overlays (absent programs are hidden instead).
void BwrapDevice::Launch() {
  bool root = HarnessIsRoot();
  if (spec_.disk_limit_bytes > 0 && root)
    quota_ = std::make_unique<HomeQuota>(spec_.home_dir, spec_.disk_limit_bytes);
  GiveToDevice(spec_.home_dir);
  GiveToDevice(spec_.broker_dir);
  // After the home's tmpfs (which would otherwise copy the weights in) and
  // its hand-over (which must not walk them).
  if (!spec_.weights_view_source.empty())
    weights_ = std::make_unique<WeightsView>(
        spec_.weights_view_source, spec_.home_dir + "/" + spec_.weights_view_in_home);
  DeviceSpec bwrap_spec = spec_;
  if (!root) {
    bwrap_spec.hidden_programs.insert(bwrap_spec.hidden_programs.end(),
                                      spec_.absent_programs.begin(),
                                      spec_.absent_programs.end());
    bwrap_spec.absent_programs.clear();
  }
  CgroupLayout layout = DetectCgroupLayout();
  bool cgroups = CgroupsUsable(layout);
  // /tmp and /run are disk the device can fill too: cap them like the home
  // (their pages also count against the memory cgroup, where there is one).
  uint64_t scratch = spec_.scratch_limit_bytes ? spec_.scratch_limit_bytes
                                               : spec_.disk_limit_bytes;
  std::vector<std::string> argv =
      BuildBwrapArgs(FindBwrap(), bwrap_spec,
                     ProbeHost(bwrap_spec.hidden_programs), scratch);
  if (cgroups)
    cgroup_.emplace(Cgroup::Create(
        layout, OwnerCgroupPath() + "/" + spec_.name,
        CgroupLimits{spec_.memory_limit_bytes, spec_.pids_limit}));
  StartBwrap(std::move(argv),
             AbsentProgramOverlays(bwrap_spec.absent_programs));
  WaitReady();
  RecordPidNamespace();
  std::lock_guard lock(state_mu_);
  init_pidfd_ = OpenPidfd(init_pid_);
  std::string ns = "/proc/" + std::to_string(init_pid_) + "/ns/net";
  netns_.reset(::open(ns.c_str(), O_RDONLY | O_CLOEXEC));
  if (!netns_.valid()) ThrowErrno("open(\"" + ns + "\")");
}

void BwrapDevice::RecordPidNamespace() {
  std::string ns = "/proc/" + std::to_string(init_pid_) + "/ns/pid";
  struct stat st;
  if (::stat(ns.c_str(), &st) != 0) ThrowErrno("stat(\"" + ns + "\")");
  pidns_dev_ = st.st_dev;
  pidns_ino_ = st.st_ino;
}

void BwrapDevice::StartBwrap(std::vector<std::string> argv,
                             const std::vector<OverlayMount>& overlays) {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
    ThrowErrno("socketpair(AF_UNIX, SOCK_SEQPACKET)");
  control_.reset(pair[0]);
  UniqueFd device_end(pair[1]);
  int one = 1;
  if (::setsockopt(control_.get(), SOL_SOCKET, SO_PASSCRED, &one, sizeof one))
    ThrowErrno("setsockopt(SO_PASSCRED)");
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) < 0) ThrowErrno("pipe2");
  bwrap_stderr_.reset(pipe_fds[0]);
  UniqueFd stderr_write(pipe_fds[1]);

  std::vector<UniqueFd> procs;
  if (cgroup_) procs = cgroup_->OpenProcsFiles();
  LaunchPlan plan;
  plan.argv = std::move(argv);
  plan.envp = BwrapEnvironment();
  for (const UniqueFd& fd : procs) plan.cgroup_procs_fds.push_back(fd.get());
  plan.inherited_fd = device_end.get();
  plan.inherited_fd_number = kDeviceControlFd;
  UniqueFd seccomp = DeviceSeccompProgramFd();
  plan.extra_fd = seccomp.get();
  plan.extra_fd_number = kDeviceSeccompFd;
  plan.stderr_fd = stderr_write.get();
  plan.overlays = overlays;
  UniqueFd netns;
  if (!spec_.netns_path.empty()) {
    netns.reset(::open(spec_.netns_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!netns.valid()) ThrowErrno("open(\"" + spec_.netns_path + "\")");
    plan.netns_fd = netns.get();
  }
  if (!HarnessIsRoot()) plan.rlimits = FallbackLimits(spec_, cgroup_.has_value());
  if (DeviceDropsRoot()) {
    plan.uid = DeviceHostUid();
    plan.gid = DeviceHostGid();
  }
  bwrap_pid_ = LaunchProcess(plan);
  // Our copies close here: once devinit and bwrap are gone, the harness
  // end reads end-of-file at once.
}

void BwrapDevice::FailStart(int err, const std::string& what) {
  std::string detail = what;
  // bwrap prints its reason and exits; give it a moment to do both.
  for (int i = 0; i < 50 && !bwrap_reaped_ && bwrap_pid_ > 0; ++i) {
    std::lock_guard reap(reap_mu_);
    if (TryReapLocked()) {
      int status = bwrap_status_;
      if (WIFEXITED(status))
        detail += "; bwrap exited with status " +
                  std::to_string(WEXITSTATUS(status));
      if (WIFSIGNALED(status))
        detail += "; bwrap killed by signal " + std::to_string(WTERMSIG(status));
      break;
    }
    SleepSeconds(0.01);
  }
  std::string output = ReadAvailable(bwrap_stderr_.get());
  if (!output.empty()) detail += ": " + output;
  throw SystemError("start device \"" + spec_.name + "\"", err, detail);
}

void BwrapDevice::WaitReady() {
  ControlMessage message;
  int err = ReceiveBefore(MonotonicSeconds() + kStartTimeout, &message);
  if (err == ETIMEDOUT) FailStart(err, "devinit did not report ready in 10 s");
  if (err != 0) FailStart(err, "the device exited while starting");
  if (message.fields != std::vector<std::string>{kMsgReady} ||
      message.sender <= 0)
    FailStart(EPROTO, "devinit's first message was not \"ready\"");
  init_pid_ = message.sender;
}

int BwrapDevice::ReceiveBefore(double deadline, ControlMessage* message) {
  if (!WaitReadable(control_.get(), deadline)) return ETIMEDOUT;
  return ReceiveControlMessage(control_.get(), message);
}

pid_t BwrapDevice::Spawn(const SpawnRequest& request) {
  if (request.argv.empty() || request.argv[0].empty())
    throw InputError("spawn in device \"" + spec_.name + "\": empty argv");
  std::vector<std::string> fields = {
      kMsgSpawn, request.cwd.empty() ? kDeviceHome : request.cwd,
      request.log_path.empty() ? "/dev/null" : request.log_path};
  fields.insert(fields.end(), request.argv.begin(), request.argv.end());
  std::string message;
  std::string what =
      "spawn \"" + request.argv[0] + "\" in device \"" + spec_.name + "\"";
  if (!EncodeFields(fields, &message))
    throw InputError(what + ": an argument holds a NUL byte, or the request "
                            "is over 64 KiB");
  std::lock_guard lock(control_mu_);
  if (!control_.valid() || channel_broken_)
    throw SystemError(what, ESRCH, "the device is torn down or its control "
                                   "channel failed");
  int err = SendControlMessage(control_.get(), message);
  if (err != 0) {
    channel_broken_ = true;
    throw SystemError(what, err, "devinit is gone");
  }
  return AwaitSpawnReply(what);
}

// The spawned process itself sends `child` before exec; the kernel stamps
// it with the process's host pid (still correct if it has already exited).
pid_t BwrapDevice::AwaitSpawnReply(const std::string& what) {
  double deadline = MonotonicSeconds() + kReplyTimeout;
  pid_t host_pid = 0;
  while (true) {
    ControlMessage m;
    int err = ReceiveBefore(deadline, &m);
    if (err != 0) {
      channel_broken_ = true;
      throw SystemError(what, err, err == ETIMEDOUT
                                       ? "devinit did not answer in 10 s"
                                       : "devinit is gone");
    }
    const std::string& verb = m.fields[0];
    if (verb == kMsgReboot) {
      reboot_seen_ = true;
      channel_broken_ = true;
      throw SystemError(what, ESRCH, "the device is rebooting");
    }
    if (verb == kMsgChild && m.fields.size() == 1) {
      host_pid = m.sender;
      continue;
    }
    if (verb == kMsgErr && m.fields.size() == 3)
      throw SystemError(what + ": " + m.fields[2], std::atoi(m.fields[1].c_str()));
    if (verb == kMsgOk && m.fields.size() == 2) {
      pid_t ns_pid = std::atoi(m.fields[1].c_str());
      for (int i = 0; host_pid <= 0 && i < 50; ++i, SleepSeconds(0.01))
        host_pid = HostPidOf(ns_pid, Pids());
      if (host_pid <= 0)
        throw SystemError(what, ESRCH, "started, but its host pid is unknown");
      spawned_.emplace_back(host_pid, ns_pid);
      return host_pid;
    }
    channel_broken_ = true;
    throw SystemError(what, EPROTO, "unexpected reply from devinit");
  }
}

// Asks devinit how `host_pid` ended; it may not have reaped it yet (its
// SIGCHLD is read in its loop), so "running" is asked again for a second.
std::string BwrapDevice::ExitReport(pid_t host_pid) {
  double deadline = MonotonicSeconds() + 1.0;
  for (;;) {
    std::vector<std::string> reply;
    {
      std::lock_guard lock(control_mu_);
      pid_t ns_pid = 0;
      for (const auto& [host, ns] : spawned_)
        if (host == host_pid) ns_pid = ns;
      if (ns_pid <= 0 || !control_.valid() || channel_broken_) return "";
      if (SendControlFields(control_.get(), {kMsgStatus, std::to_string(ns_pid)}) != 0)
        return "";
      ControlMessage m;
      if (ReceiveBefore(MonotonicSeconds() + kReplyTimeout, &m) != 0) {
        channel_broken_ = true;
        return "";
      }
      reply = m.fields;
      if (!reply.empty() && reply[0] == kMsgReboot) {
        reboot_seen_ = true;
        channel_broken_ = true;
        return "";
      }
    }
    if (reply.size() == 3 && reply[1] == "exited") return "exit status " + reply[2];
    if (reply.size() == 3 && reply[1] == "signaled") {
      int sig = std::atoi(reply[2].c_str());
      const char* name = ::sigdescr_np(sig);
      return "killed by signal " + reply[2] + (name ? std::string(" (") + name + ")" : "");
    }
    if (reply.size() != 2 || reply[1] != "running" || MonotonicSeconds() > deadline)
      return "";
    SleepSeconds(0.01);
  }
}

std::string BwrapDevice::LimitEvents() const {
  if (!cgroup_) return "";
  std::string out;
  for (const std::string& event : cgroup_->LimitEvents())
    out += (out.empty() ? "" : ", ") + event;
  return out;
}

std::vector<pid_t> BwrapDevice::Pids() const {
  std::vector<pid_t> pids;
  if (!cgroup_) {
    {
      std::lock_guard lock(state_mu_);
      // A freed namespace's inode number can be reused by another one.
      if (torn_down_ || pidns_ino_ == 0) return pids;
    }
    return PidsInPidNamespace(pidns_dev_, pidns_ino_);
  }
  for (pid_t pid : cgroup_->Pids())
    if (pid != bwrap_pid_) pids.push_back(pid);
  return pids;
}

int BwrapDevice::NetnsFd() const {
  std::lock_guard lock(state_mu_);
  return netns_.get();
}

bool BwrapDevice::Alive() const {
  std::lock_guard lock(state_mu_);
  if (torn_down_ || init_pid_ <= 0) return false;
  if (!init_pidfd_.valid()) return ProcessAlive(init_pid_);
  // A pidfd becomes readable when its process has exited.
  struct pollfd p = {init_pidfd_.get(), POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

void BwrapDevice::SignalInit(int sig) {
  std::lock_guard lock(state_mu_);
  if (init_pidfd_.valid()) {
    ::syscall(SYS_pidfd_send_signal, init_pidfd_.get(), sig, nullptr, 0);
  } else if (init_pid_ > 0 && cgroup_) {
    for (pid_t pid : cgroup_->Pids())
      if (pid == init_pid_) ::kill(pid, sig);
  }
}

// Normally empty: PID 1's death kills its namespace. A pidfd pins each
// process, so the signal cannot reach a reused pid.
void BwrapDevice::KillNamespaceLeftovers() {
  std::vector<UniqueFd> left;
  for (pid_t pid : Pids()) {
    UniqueFd fd = OpenPidfd(pid);
    if (!fd.valid()) {
      ::kill(pid, SIGKILL);  // no pidfds (kernel < 5.3): just read as ours
      continue;
    }
    ::syscall(SYS_pidfd_send_signal, fd.get(), SIGKILL, nullptr, 0);
    left.push_back(std::move(fd));
  }
  WaitExited(left, MonotonicSeconds() + kKillTimeout);
}

bool BwrapDevice::TryReapLocked() {
  if (bwrap_reaped_) return true;
  if (bwrap_pid_ <= 0) return false;
  int status = 0;
  pid_t r = ::waitpid(bwrap_pid_, &status, WNOHANG);
  if (r == bwrap_pid_) bwrap_status_ = status;
  if (r == bwrap_pid_ || (r < 0 && errno == ECHILD)) bwrap_reaped_ = true;
  return bwrap_reaped_;
}

void BwrapDevice::ReapBwrap(double timeout_seconds) {
  std::lock_guard reap(reap_mu_);
  if (bwrap_pid_ <= 0 || bwrap_reaped_) return;
  double deadline = MonotonicSeconds() + timeout_seconds;
  while (!TryReapLocked()) {
    if (MonotonicSeconds() > deadline) {
      // Still our unreaped child, so the pid cannot have been reused.
      ::kill(bwrap_pid_, SIGKILL);
      ::waitpid(bwrap_pid_, &bwrap_status_, 0);
      bwrap_reaped_ = true;
      break;
    }
    SleepSeconds(0.002);
  }
}

// bwrap exits with devinit's status, and devinit exits with
// kDeviceRebootExitCode only on a reboot request from inside.
void BwrapDevice::PeekRebootMessage() {
  std::lock_guard lock(control_mu_);
  if (!control_.valid()) return;
  char buf[sizeof kMsgReboot];
  ssize_t n = ::recv(control_.get(), buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);
  if (n == static_cast<ssize_t>(sizeof kMsgReboot - 1) &&
      std::memcmp(buf, kMsgReboot, size_t(n)) == 0)
    reboot_seen_ = true;
}

bool BwrapDevice::Rebooted() {
  PeekRebootMessage();
  double deadline = MonotonicSeconds() + 1.0;
  if (reboot_seen_) {
    // Going down: let it finish, so teardown finds nothing left to kill.
    while (Alive() && MonotonicSeconds() < deadline) SleepSeconds(0.002);
    return true;
  }
  std::lock_guard reap(reap_mu_);
  while (!TryReapLocked()) {
    if (Alive() || MonotonicSeconds() > deadline) return false;
    SleepSeconds(0.005);
  }
  return WIFEXITED(bwrap_status_) &&
         WEXITSTATUS(bwrap_status_) == kDeviceRebootExitCode;
}

int BwrapDevice::Teardown() {
  std::lock_guard lock(teardown_mu_);
  {
    std::lock_guard state(state_mu_);
    if (torn_down_) return 0;
  }
  std::vector<pid_t> pids = Pids();
  std::vector<UniqueFd> exits;  // pidfds: immune to pid reuse while we wait
  int alive = 0;
  for (pid_t pid : pids) {
    if (!ProcessAlive(pid)) continue;
    ++alive;
    exits.push_back(OpenPidfd(pid));
  }
  // PID 1 dying makes the kernel kill its whole pid namespace. Letting bwrap
  // reap devinit (it exits when devinit does) keeps zombies off host init.
  SignalInit(SIGKILL);
  WaitExited(exits, MonotonicSeconds() + kKillTimeout);
  ReapBwrap(kKillTimeout);
  // Whatever is left in the cgroup (nothing, normally).
  if (cgroup_) cgroup_->Kill(kKillTimeout);
  if (!cgroup_) KillNamespaceLeftovers();
  // A process leaves its cgroup early in exit, before it has finished
  // dying (PID 1 waits in exit for its namespace to empty).
  if (!WaitExited(exits, MonotonicSeconds() + kKillTimeout))
    throw SystemError("tear down device \"" + spec_.name + "\"", EBUSY,
                      "a process did not exit after SIGKILL");
  PeekRebootMessage();  // Rebooted() stays true after teardown
  {
    std::lock_guard control(control_mu_);
    control_.reset();
  }
  {
    std::lock_guard state(state_mu_);
    netns_.reset();
    init_pidfd_.reset();
  }
  bwrap_stderr_.reset();
  if (weights_) weights_->Remove();
  if (quota_) quota_->Restore();
  if (cgroup_) cgroup_->Remove();
  std::lock_guard state(state_mu_);
  torn_down_ = true;
  return alive;
}

}  // namespace

std::unique_ptr<Device> Device::Start(const DeviceSpec& spec) {
  DeviceSpec checked = ValidateDeviceSpec(spec);
  auto device = std::make_unique<BwrapDevice>(std::move(checked));
  device->Launch();
  return device;
}

}  // namespace redline
