#include "base/captured_run.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <mutex>
#include <shared_mutex>
#include <utility>

#include "base/clock.h"
#include "base/error.h"
#include "base/exec_lock.h"
#include "base/unique_fd.h"
#include "base/wait_child.h"

extern char** environ;

namespace redline {
namespace {

// Everything the child needs, built before fork: a child of a threaded
// process may not allocate (another thread may have held malloc's lock).
struct ChildPlan {
  std::string program;
  std::vector<char*> argv;
  std::string path_entry;
  std::vector<char*> own_env;
  char** env = nullptr;
  int as_uid = -1;
  std::string exec_failed;  ///< written to the child's stderr if exec fails
  sigset_t no_signals_blocked;
};

[[noreturn]] void ExecChild(const ChildPlan& plan, int null_fd, int out_fd, int err_fd) {
  if (::dup2(null_fd, 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(err_fd, 2) < 0)
    ::_exit(127);
  // The harness blocks SIGINT and SIGTERM for its own handling and ignores
  // SIGPIPE; both would pass through exec, and a tool that ignores Ctrl-C
  // or a broken pipe is not the tool its user knows.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  ::sigaction(SIGPIPE, &dfl, nullptr);
  ::sigprocmask(SIG_SETMASK, &plan.no_signals_blocked, nullptr);
  if (plan.as_uid >= 0 && (::setgroups(0, nullptr) < 0 || ::setgid(plan.as_uid) < 0 ||
                           ::setuid(plan.as_uid) < 0))
    ::_exit(126);
  ::execve(plan.program.c_str(), plan.argv.data(), plan.env);
  (void)!::write(2, plan.exec_failed.data(), plan.exec_failed.size());
  ::_exit(127);
}

void TrimTrailingSpace(std::string* s) {
  while (!s->empty() && (s->back() == '\n' || s->back() == ' ' || s->back() == '\r' ||
                         s->back() == '\t'))
    s->pop_back();
}

// Reads the pipes until all reach end-of-file or `deadline`; false on
// timeout. Bytes past a stream's cap are read and dropped, so a chatty
// child never blocks on a full pipe.
bool ReadAll(std::vector<pollfd> fds, std::vector<std::string*> dest,
             std::vector<size_t> cap, double deadline) {
  size_t open_count = fds.size();
  char buf[4096];
  while (open_count > 0) {
    double left = deadline - MonotonicSeconds();
    if (left <= 0) return false;
    int r = ::poll(fds.data(), fds.size(), static_cast<int>(left * 1000) + 1);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return false;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fds[i].fd = -1;
        --open_count;
        continue;
      }
      size_t room = cap[i] > dest[i]->size() ? cap[i] - dest[i]->size() : 0;
      dest[i]->append(buf, std::min(room, static_cast<size_t>(n)));
    }
  }
  return true;
}

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

enum class Reaped { kExited, kKilled, kLost };

// Reaps `pid`, killing it once `deadline` has passed: a child may close its
// output and still not exit.
Reaped ReapBy(pid_t pid, double deadline, int* status) {
  switch (WaitChild(pid, deadline, status)) {
    case ChildWait::kExited:
      return Reaped::kExited;
    case ChildWait::kGone:
      return Reaped::kLost;
    case ChildWait::kTimedOut:
      break;
  }
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, status, 0) < 0 && errno == EINTR) {
  }
  return Reaped::kKilled;
}

}  // namespace

std::string FindInPath(const std::string& name, const std::string& path) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    std::string candidate = dir + "/" + name;
    struct stat st;
    if (!dir.empty() && ::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    start = end + 1;
  }
  return "";
}

CapturedRun RunCaptured(const std::vector<std::string>& argv,
                        const CapturedRunOptions& options) {
  CapturedRun result;
  if (argv.empty()) throw SystemError("RunCaptured: no program", EINVAL);
  const char* inherited_path = std::getenv("PATH");
  std::string search_path = options.inherit_environment
                                ? (inherited_path ? inherited_path : kSystemPath)
                                : options.path;
  ChildPlan plan;
  plan.program = argv[0].find('/') != std::string::npos
                     ? argv[0]
                     : FindInPath(argv[0], search_path);
  std::string* messages = options.separate_stderr ? &result.err : &result.out;
  if (plan.program.empty()) {
    result.exit_code = 127;
    *messages = argv[0] + ": not found in PATH (" + search_path + ")";
    return result;
  }
  for (const std::string& a : argv) plan.argv.push_back(const_cast<char*>(a.c_str()));
  plan.argv.push_back(nullptr);
  plan.path_entry = "PATH=" + options.path;
  plan.own_env = {plan.path_entry.data(), nullptr};
  plan.env = options.inherit_environment ? environ : plan.own_env.data();
  plan.as_uid = options.as_uid;
  plan.exec_failed = "cannot execute " + plan.program + "\n";
  sigemptyset(&plan.no_signals_blocked);

  int out_pipe[2], err_pipe[2] = {-1, -1};
  if (::pipe2(out_pipe, O_CLOEXEC) < 0) ThrowErrno("pipe2");
  UniqueFd out_read(out_pipe[0]), out_write(out_pipe[1]);
  if (options.separate_stderr && ::pipe2(err_pipe, O_CLOEXEC) < 0) ThrowErrno("pipe2");
  UniqueFd err_read(err_pipe[0]), err_write(err_pipe[1]);
  UniqueFd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!null.valid()) ThrowErrno("open(\"/dev/null\")");
  pid_t pid;
  {
    // No executable another thread is writing may leak into the child.
    std::unique_lock<std::shared_mutex> no_writers(ExecLock());
    pid = ::fork();
    if (pid == 0)
      ExecChild(plan, null.get(), out_write.get(),
                options.separate_stderr ? err_write.get() : out_write.get());
  }
  if (pid < 0) ThrowErrno("fork");
  out_write.reset();
  err_write.reset();
  std::vector<pollfd> fds = {{out_read.get(), POLLIN, 0}};
  std::vector<std::string*> dest = {&result.out};
  std::vector<size_t> cap = {options.max_out};
  if (options.separate_stderr) {
    fds.push_back({err_read.get(), POLLIN, 0});
    dest.push_back(&result.err);
    cap.push_back(options.max_err);
  }
  double deadline = MonotonicSeconds() + options.timeout_seconds;
  bool finished = ReadAll(fds, dest, cap, deadline);
  int status = 0;
  Reaped reaped = ReapBy(pid, finished ? deadline : 0, &status);
  TrimTrailingSpace(&result.err);
  if (!options.separate_stderr) TrimTrailingSpace(&result.out);
  result.timed_out = reaped == Reaped::kKilled;
  result.exit_code = reaped == Reaped::kExited ? DecodeStatus(status) : -1;
  return result;
}

}  // namespace redline
