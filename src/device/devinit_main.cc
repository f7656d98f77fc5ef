// redline-devinit: PID 1 inside a device.
//
// It starts the AI system's processes when the harness asks (over the
// control channel, see control_channel.h) and reaps every orphan. It installs
// no signal handler: the kernel drops any signal sent to a namespace's init
// from inside the namespace unless init handles it, so nothing the model runs
// can kill, stop or interrupt it. SIGCHLD is blocked and read from a
// signalfd instead. It is non-dumpable, so the model cannot ptrace it or open
// its /proc files (and so cannot reach the control fd).
//
// When the harness end of the channel closes (teardown, or the harness died)
// devinit exits; PID 1 exiting makes the kernel kill the whole namespace.
//
// Reboot: like a real init, SIGINT (ctrl-alt-del) is a reboot request. It is
// blocked and read from the signalfd (a blocked signal reaches PID 1), and
// devinit exits with kDeviceRebootExitCode, ending this device only. The same
// binary is bound over reboot/shutdown/poweroff/halt/systemctl inside the
// device; run under one of those names it sends that SIGINT (ShutdownMain).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "device/control_channel.h"

namespace redline {
namespace {

// Step of a spawn that failed in the child, reported with its errno.
enum class SpawnStage : int { kSetsid, kOpenLog, kLogFlags, kOpenNull, kDup, kChdir, kExec };

struct SpawnFailure {
  SpawnStage stage;
  int err;
};

// Everything the forked child needs, built before fork.
struct SpawnPlan {
  std::string cwd;
  std::string log_path;
  std::vector<std::string> args;
  std::vector<char*> argv;  // points into args, null-terminated
};

std::string StageText(SpawnStage stage, const SpawnPlan& plan) {
  switch (stage) {
    case SpawnStage::kSetsid: return "setsid()";
    case SpawnStage::kOpenLog: return "open(\"" + plan.log_path + "\")";
    case SpawnStage::kLogFlags: return "fcntl(\"" + plan.log_path + "\")";
    case SpawnStage::kOpenNull: return "open(\"/dev/null\")";
    case SpawnStage::kDup: return "dup2()";
    case SpawnStage::kChdir: return "chdir(\"" + plan.cwd + "\")";
    case SpawnStage::kExec: return "execvp(\"" + plan.args[0] + "\")";
  }
  return "spawn";
}

void ResetSignals() {
  for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

[[noreturn]] void FailChild(int error_fd, SpawnStage stage) {
  SpawnFailure failure = {stage, errno};
  ssize_t ignored = ::write(error_fd, &failure, sizeof failure);
  (void)ignored;
  ::_exit(127);
}

// In the forked child: only system calls from here to exec.
[[noreturn]] void RunChild(const SpawnPlan& plan, int control_fd,
                           int error_fd) {
  // The kernel stamps this message with our pid as the harness sees it.
  ::send(control_fd, kMsgChild, sizeof kMsgChild - 1, MSG_NOSIGNAL);
  ResetSignals();
  if (::setsid() < 0) FailChild(error_fd, SpawnStage::kSetsid);
  // O_NONBLOCK: a FIFO planted at the log path must not hang PID 1, which
  // waits for this child to exec.
  int log = ::open(plan.log_path.c_str(),
                   O_WRONLY | O_CREAT | O_APPEND | O_NOCTTY | O_NONBLOCK |
                       O_CLOEXEC, 0644);
  if (log < 0) FailChild(error_fd, SpawnStage::kOpenLog);
  if (::fcntl(log, F_SETFL, O_WRONLY | O_APPEND) < 0)
    FailChild(error_fd, SpawnStage::kLogFlags);
  int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null < 0) FailChild(error_fd, SpawnStage::kOpenNull);
  if (::dup2(null, 0) < 0 || ::dup2(log, 1) < 0 || ::dup2(log, 2) < 0)
    FailChild(error_fd, SpawnStage::kDup);
  if (::chdir(plan.cwd.c_str()) < 0) FailChild(error_fd, SpawnStage::kChdir);
  ::execvp(plan.argv[0], plan.argv.data());
  FailChild(error_fd, SpawnStage::kExec);
}

// The processes the harness asked for, and how those that ended ended
// (orphans devinit reaps are not remembered). Bounded: only the harness
// spawns, and the oldest exits are dropped first.
std::vector<pid_t> g_spawned;
std::deque<std::pair<pid_t, int>> g_exits;

void ReapChildren() {
  int status = 0;
  pid_t pid;
  while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
    for (size_t i = 0; i < g_spawned.size(); ++i) {
      if (g_spawned[i] != pid) continue;
      g_spawned.erase(g_spawned.begin() + static_cast<long>(i));
      g_exits.emplace_back(pid, status);
      if (g_exits.size() > kMaxRememberedExits) g_exits.pop_front();
      break;
    }
  }
}

std::vector<std::string> ExitStatusOf(pid_t pid) {
  ReapChildren();
  for (pid_t p : g_spawned)
    if (p == pid) return {kMsgStatus, "running"};
  for (const auto& [p, status] : g_exits) {
    if (p != pid) continue;
    if (WIFEXITED(status)) return {kMsgStatus, "exited", std::to_string(WEXITSTATUS(status))};
    if (WIFSIGNALED(status)) return {kMsgStatus, "signaled", std::to_string(WTERMSIG(status))};
  }
  return {kMsgStatus, "unknown"};
}

// Forks and execs; returns the reply fields.
std::vector<std::string> Spawn(SpawnPlan plan, int control_fd) {
  for (std::string& arg : plan.args) plan.argv.push_back(arg.data());
  plan.argv.push_back(nullptr);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) < 0)
    return {kMsgErr, std::to_string(errno), "pipe2()"};
  pid_t pid = ::fork();
  if (pid == 0) RunChild(plan, control_fd, pipe_fds[1]);
  int fork_errno = errno;
  ::close(pipe_fds[1]);
  if (pid < 0) {
    ::close(pipe_fds[0]);
    return {kMsgErr, std::to_string(fork_errno), "fork()"};
  }
  // The pipe is CLOEXEC: end-of-file means exec succeeded.
  SpawnFailure failure;
  ssize_t n;
  do {
    n = ::read(pipe_fds[0], &failure, sizeof failure);
  } while (n < 0 && errno == EINTR);
  ::close(pipe_fds[0]);
  if (n == sizeof failure)
    return {kMsgErr, std::to_string(failure.err),
            StageText(failure.stage, plan)};
  g_spawned.push_back(pid);
  if (g_spawned.size() > kMaxRememberedExits) g_spawned.erase(g_spawned.begin());
  return {kMsgOk, std::to_string(pid)};
}

std::vector<std::string> HandleRequest(const std::vector<std::string>& fields,
                                       int control_fd) {
  if (fields.size() == 1 && fields[0] == kMsgPing) return {kMsgPong};
  if (fields.size() == 2 && fields[0] == kMsgStatus)
    return ExitStatusOf(static_cast<pid_t>(std::atol(fields[1].c_str())));
  if (fields.size() >= 4 && fields[0] == kMsgSpawn) {
    SpawnPlan plan;
    plan.cwd = fields[1];
    plan.log_path = fields[2];
    plan.args.assign(fields.begin() + 3, fields.end());
    return Spawn(std::move(plan), control_fd);
  }
  return {kMsgErr, std::to_string(EINVAL),
          "unknown request \"" + (fields.empty() ? "" : fields[0]) + "\""};
}

// The device's reboot, shutdown, poweroff, halt and systemctl.
int ShutdownMain(const std::string& name, int argc, char** argv) {
  bool acts = name != "systemctl";
  for (int i = 1; i < argc && !acts; ++i) {
    std::string verb = argv[i];
    acts = verb == "reboot" || verb == "poweroff" || verb == "halt" ||
           verb == "kexec" || verb == "soft-reboot" || verb == "emergency";
  }
  if (!acts) {
    // What systemctl prints in a container whose PID 1 is not systemd.
    std::fprintf(stderr,
                 "System has not been booted with systemd as init system "
                 "(PID 1). Can't operate.\nFailed to connect to bus: Host is "
                 "down\n");
    return 1;
  }
  if (::kill(1, SIGINT) != 0) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), std::strerror(errno));
    return 1;
  }
  ::sleep(10);  // PID 1 exits, and the kernel kills us with the namespace.
  std::fprintf(stderr, "%s: the system did not go down\n", name.c_str());
  return 1;
}


// Returns when the harness end of the channel is gone.
int Serve(int control_fd, int signal_fd) {
  struct pollfd fds[2] = {{control_fd, POLLIN, 0}, {signal_fd, POLLIN, 0}};
  while (true) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (fds[1].revents & POLLIN) {
      struct signalfd_siginfo info;
      bool reboot = false;
      while (::read(signal_fd, &info, sizeof info) > 0)
        reboot = reboot || info.ssi_signo == SIGINT;
      if (reboot) {
        // Before exiting: the harness may notice the device's processes die
        // (they go when PID 1 exits) before it can see PID 1 gone.
        SendControlFields(control_fd, {kMsgReboot});
        return kDeviceRebootExitCode;
      }
      ReapChildren();
    }
    if (fds[0].revents == 0) continue;
    ControlMessage message;
    int err = ReceiveControlMessage(control_fd, &message);
    if (err == EPIPE || (err != 0 && err != EMSGSIZE && err != EAGAIN))
      return 0;
    std::vector<std::string> reply =
        err == EMSGSIZE
            ? std::vector<std::string>{kMsgErr, std::to_string(err),
                                       "request too large"}
            : HandleRequest(message.fields, control_fd);
    if (SendControlFields(control_fd, reply) == EPIPE) return 0;
  }
}

// Only stdio and the channel stay open: nothing bwrap or the harness might
// have left open can reach the model's processes.
void CloseOtherFds(int keep) {
  int max = static_cast<int>(::sysconf(_SC_OPEN_MAX));
  if (max < 0 || max > 1 << 16) max = 1 << 16;
  if (keep > 3 && ::syscall(SYS_close_range, 3u, unsigned(keep - 1), 0u) < 0)
    for (int fd = 3; fd < keep; ++fd) ::close(fd);
  if (::syscall(SYS_close_range, unsigned(keep + 1), ~0u, 0u) < 0)
    for (int fd = keep + 1; fd < max; ++fd) ::close(fd);
}

int ParseControlFd(int argc, char** argv) {
  if (argc != 3 || std::strcmp(argv[1], "--control-fd") != 0) return -1;
  char* end = nullptr;
  long fd = std::strtol(argv[2], &end, 10);
  if (*argv[2] == '\0' || *end != '\0' || fd < 0 || fd > 1 << 20) return -1;
  return static_cast<int>(fd);
}

int Main(int argc, char** argv) {
  std::string name = argc > 0 ? argv[0] : "";
  name = name.substr(name.rfind('/') + 1);
  for (const char* command : kShutdownCommands)
    if (name == command) return ShutdownMain(name, argc, argv);
  int control_fd = ParseControlFd(argc, argv);
  if (control_fd < 0) {
    std::fprintf(stderr, "usage: redline-devinit --control-fd N\n");
    return 2;
  }
  // Nothing devinit starts may inherit the channel.
  if (::fcntl(control_fd, F_SETFD, FD_CLOEXEC) < 0) {
    std::perror("redline-devinit: fcntl(control fd)");
    return 1;
  }
  CloseOtherFds(control_fd);
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  // Dispositions the harness ignored (SIG_IGN survives exec) would make
  // SIGCHLD vanish; start from the defaults.
  ResetSignals();
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigaddset(&chld, SIGINT);  // a reboot request
  ::sigprocmask(SIG_BLOCK, &chld, nullptr);
  int signal_fd = ::signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (signal_fd < 0) {
    std::perror("redline-devinit: signalfd");
    return 1;
  }
  if (SendControlFields(control_fd, {kMsgReady}) != 0) return 1;
  // stderr is a pipe the harness only reads while the device starts.
  int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (null >= 0) ::dup2(null, 2);
  return Serve(control_fd, signal_fd);
}

}  // namespace
}  // namespace redline

int main(int argc, char** argv) { return redline::Main(argc, argv); }
