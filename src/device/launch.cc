#include "device/launch.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/keyctl.h>
#include <signal.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <shared_mutex>

#include "base/error.h"
#include "base/exec_lock.h"
#include "base/unique_fd.h"
#include "device/launcher_thread.h"

namespace redline {
namespace {

enum class Stage : int {
  kJoinCgroup,
  kMountNamespace,
  kOverlay,
  kJoinNetwork,
  kDropIds,
  kDeathSignal,
  kResourceLimit,
  kParentGone,
  kDup,
  kExec
};

struct Failure {
  Stage stage;
  int err;
};

// Plain pointers into the plan, built before fork.
struct ExecArgs {
  std::vector<char*> argv;
  std::vector<char*> envp;
};

ExecArgs MakeExecArgs(const LaunchPlan& plan) {
  ExecArgs args;
  for (const std::string& a : plan.argv)
    args.argv.push_back(const_cast<char*>(a.c_str()));
  args.argv.push_back(nullptr);
  for (const std::string& e : plan.envp)
    args.envp.push_back(const_cast<char*>(e.c_str()));
  args.envp.push_back(nullptr);
  return args;
}

[[noreturn]] void Fail(int error_fd, Stage stage) {
  Failure failure = {stage, errno};
  ssize_t ignored = ::write(error_fd, &failure, sizeof failure);
  (void)ignored;
  ::_exit(127);
}

// Moves fds above the targets first, so a source that happens to be 0..3
// is not closed by an earlier dup2.
[[noreturn]] void RunChild(const LaunchPlan& plan, const ExecArgs& args,
                           pid_t parent, int null_fd, int error_fd) {
  for (int fd : plan.cgroup_procs_fds)
    if (::write(fd, "0", 1) != 1) Fail(error_fd, Stage::kJoinCgroup);
  if (!plan.overlays.empty()) {
    if (::unshare(CLONE_NEWNS) < 0 ||
        ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0)
      Fail(error_fd, Stage::kMountNamespace);
    for (const OverlayMount& m : plan.overlays)
      if (::mount("overlay", m.target.c_str(), "overlay", MS_RDONLY,
                  m.options.c_str()) < 0)
        Fail(error_fd, Stage::kOverlay);
  }
  if (plan.netns_fd >= 0 && ::setns(plan.netns_fd, CLONE_NEWNET) < 0)
    Fail(error_fd, Stage::kJoinNetwork);
  if (plan.gid != static_cast<gid_t>(-1) &&
      (::setgroups(0, nullptr) < 0 ||
       ::setresgid(plan.gid, plan.gid, plan.gid) < 0))
    Fail(error_fd, Stage::kDropIds);
  if (plan.uid != static_cast<uid_t>(-1) &&
      ::setresuid(plan.uid, plan.uid, plan.uid) < 0)
    Fail(error_fd, Stage::kDropIds);
  // A fresh anonymous session keyring, owned by the device's uid: otherwise
  // the device would possess the harness's (keyrings are not namespaced).
  // The seccomp filter refuses keyctl inside too; a kernel without keys
  // fails this harmlessly.
  ::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, nullptr);
  // After the id change, which would clear it.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
    Fail(error_fd, Stage::kDeathSignal);
  if (::getppid() != parent) Fail(error_fd, Stage::kParentGone);
  for (const ResourceLimit& limit : plan.rlimits) {
    struct rlimit value = {limit.value, limit.value};
    if (::setrlimit(limit.resource, &value) < 0)
      Fail(error_fd, Stage::kResourceLimit);
  }
  for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  constexpr int kHigh = 100;
  int err = ::fcntl(error_fd, F_DUPFD_CLOEXEC, kHigh);
  if (err < 0) Fail(error_fd, Stage::kDup);
  error_fd = err;
  int inherited = ::fcntl(plan.inherited_fd, F_DUPFD_CLOEXEC, kHigh);
  int stderr_fd = ::fcntl(plan.stderr_fd, F_DUPFD_CLOEXEC, kHigh);
  int null = ::fcntl(null_fd, F_DUPFD_CLOEXEC, kHigh);
  int extra = plan.extra_fd < 0 ? -1
                                : ::fcntl(plan.extra_fd, F_DUPFD_CLOEXEC, kHigh);
  if (inherited < 0 || stderr_fd < 0 || null < 0 ||
      (plan.extra_fd >= 0 && extra < 0))
    Fail(error_fd, Stage::kDup);
  if (::dup2(null, 0) < 0 || ::dup2(null, 1) < 0 || ::dup2(stderr_fd, 2) < 0 ||
      ::dup2(inherited, plan.inherited_fd_number) < 0 ||
      (extra >= 0 && ::dup2(extra, plan.extra_fd_number) < 0))
    Fail(error_fd, Stage::kDup);
  ::execve(args.argv[0], args.argv.data(), args.envp.data());
  Fail(error_fd, Stage::kExec);
}

std::string StageText(Stage stage, const LaunchPlan& plan) {
  switch (stage) {
    case Stage::kJoinCgroup: return "write(\"cgroup.procs\", \"0\")";
    case Stage::kMountNamespace:
      return "unshare(CLONE_NEWNS) for the absent programs' overlays";
    case Stage::kOverlay: return "mount(overlay) hiding the absent programs";
    case Stage::kJoinNetwork: return "setns(CLONE_NEWNET) into the trial's network";
    case Stage::kDropIds:
      return "setresuid/setresgid(" + std::to_string(plan.uid) + ", " +
             std::to_string(plan.gid) + ")";
    case Stage::kDeathSignal: return "prctl(PR_SET_PDEATHSIG)";
    case Stage::kResourceLimit: return "setrlimit (the device's limits)";
    case Stage::kParentGone: return "getppid() (harness exited)";
    case Stage::kDup: return "dup2()";
    case Stage::kExec: return "execve(\"" + plan.argv[0] + "\")";
  }
  return "launch";
}

// Waits for exec (end-of-file) or a Failure record.
void CheckExec(int read_fd, pid_t pid, const LaunchPlan& plan) {
  Failure failure;
  ssize_t n;
  do {
    n = ::read(read_fd, &failure, sizeof failure);
  } while (n < 0 && errno == EINTR);
  if (n != sizeof failure) return;
  ::waitpid(pid, nullptr, 0);
  throw SystemError("launch " + plan.argv[0] + ": " +
                        StageText(failure.stage, plan),
                    failure.err,
                    failure.stage == Stage::kJoinCgroup
                        ? "is the cgroup subtree delegated to this user?"
                        : "");
}

}  // namespace

pid_t LaunchProcess(const LaunchPlan& plan) {
  ExecArgs args = MakeExecArgs(plan);
  UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!null.valid()) ThrowErrno("open(\"/dev/null\")");
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) < 0) ThrowErrno("pipe2");
  UniqueFd read_end(pipe_fds[0]);
  UniqueFd write_end(pipe_fds[1]);
  pid_t parent = ::getpid();
  pid_t pid = -1;
  int fork_errno = 0;
  // Held until the child has exec'd (CheckExec), so it never inherits a
  // file another thread is writing (see base/exec_lock.h).
  std::unique_lock<std::shared_mutex> no_writers(ExecLock());
  RunOnLauncherThread([&] {
    pid = ::fork();
    if (pid == 0)
      RunChild(plan, args, parent, null.get(), write_end.get());
    fork_errno = errno;
  });
  if (pid < 0) throw SystemError("fork", fork_errno);
  write_end.reset();
  CheckExec(read_end.get(), pid, plan);
  no_writers.unlock();
  return pid;
}

}  // namespace redline
