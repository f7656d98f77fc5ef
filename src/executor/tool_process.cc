#include "executor/tool_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "base/clock.h"
#include "base/error.h"
#include "base/unique_fd.h"

namespace redline {
namespace {

[[noreturn]] void ExecChild(const std::vector<std::string>& argv, int out_fd,
                            int err_fd) {
  int null_fd = ::open("/dev/null", O_RDONLY);
  if (null_fd < 0 || ::dup2(null_fd, 0) < 0 || ::dup2(out_fd, 1) < 0 ||
      ::dup2(err_fd, 2) < 0)
    ::_exit(127);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execvp(args[0], args.data());
  ::_exit(127);
}

// Reads both pipes until both reach EOF or `deadline`; false on timeout.
bool ReadBoth(int out_fd, int err_fd, double deadline, ToolResult* result) {
  struct pollfd p[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* dest[2] = {&result->out, &result->err};
  const size_t cap[2] = {1u << 20, 1u << 16};
  int open_count = 2;
  char buf[4096];
  while (open_count > 0) {
    double left = deadline - MonotonicSeconds();
    if (left <= 0) return false;
    int r = ::poll(p, 2, static_cast<int>(left * 1000) + 1);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return false;
    for (int i = 0; i < 2; ++i) {
      if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(p[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        p[i].fd = -1;
        --open_count;
        continue;
      }
      if (dest[i]->size() < cap[i]) dest[i]->append(buf, static_cast<size_t>(n));
    }
  }
  return true;
}

}  // namespace

ToolResult RunTool(const std::vector<std::string>& argv, double timeout_seconds) {
  ToolResult result;
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) < 0) ThrowErrno("pipe2");
  UniqueFd out_read(out[0]), out_write(out[1]);
  if (::pipe2(err, O_CLOEXEC) < 0) ThrowErrno("pipe2");
  UniqueFd err_read(err[0]), err_write(err[1]);
  pid_t pid = ::fork();
  if (pid < 0) ThrowErrno("fork");
  if (pid == 0) ExecChild(argv, out_write.get(), err_write.get());
  out_write.reset();
  err_write.reset();
  bool finished = ReadBoth(out_read.get(), err_read.get(),
                           MonotonicSeconds() + timeout_seconds, &result);
  if (!finished) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  while (!result.err.empty() &&
         (result.err.back() == '\n' || result.err.back() == ' '))
    result.err.pop_back();
  if (!finished) return result;
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
  return result;
}

bool ToolInPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    if (!dir.empty() && ::access((dir + "/" + name).c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace redline
