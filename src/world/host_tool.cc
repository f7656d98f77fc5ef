#include "world/host_tool.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>

#include "base/clock.h"
#include "base/error.h"
#include "base/exec_lock.h"
#include "base/unique_fd.h"

namespace redline {
namespace {

constexpr size_t kMaxOutput = 64 << 10;

// Reads `fd` until end-of-file or `deadline`; false on timeout.
bool ReadUntil(int fd, double deadline, std::string* out) {
  char buf[4096];
  for (;;) {
    double left = deadline - MonotonicSeconds();
    if (left <= 0) return false;
    struct pollfd p = {fd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left * 1000) + 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return r != 0;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;
    if (out->size() < kMaxOutput) out->append(buf, static_cast<size_t>(n));
  }
}

std::string Joined(const std::vector<std::string>& argv) {
  std::string s;
  for (const std::string& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

}  // namespace

int TryHostTool(const std::vector<std::string>& argv, std::string* output,
                double timeout_seconds) {
  output->clear();
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  char path[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
  char* env[] = {path, nullptr};
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0) ThrowErrno("pipe2");
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  UniqueFd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!null.valid()) ThrowErrno("open(\"/dev/null\")");
  pid_t pid;
  {
    // No executable another thread is writing may leak into the child.
    std::unique_lock<std::shared_mutex> no_writers(ExecLock());
    pid = ::fork();
    if (pid == 0) {
      if (::dup2(null.get(), 0) < 0 || ::dup2(write_end.get(), 1) < 0 ||
          ::dup2(write_end.get(), 2) < 0)
        ::_exit(127);
      ::execve(args[0], args.data(), env);
      ::_exit(127);
    }
  }
  if (pid < 0) ThrowErrno("fork");
  write_end.reset();
  bool finished = ReadUntil(read_end.get(), MonotonicSeconds() + timeout_seconds, output);
  if (!finished) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  while (!output->empty() && (output->back() == '\n' || output->back() == ' '))
    output->pop_back();
  if (!finished || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

std::string RunHostTool(const std::vector<std::string>& argv, double timeout_seconds) {
  std::string output;
  int code = TryHostTool(argv, &output, timeout_seconds);
  if (code != 0)
    throw std::runtime_error(Joined(argv) + ": " +
                             (code < 0 ? std::string("did not finish")
                                       : "exit status " + std::to_string(code)) +
                             ": " + output.substr(0, 400));
  return output;
}

}  // namespace redline
