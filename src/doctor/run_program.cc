#include "doctor/run_program.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "base/clock.h"
#include "base/error.h"
#include "base/unique_fd.h"

namespace redline {
namespace {

[[noreturn]] void ExecChild(const std::vector<std::string>& argv, int out_fd,
                            int as_uid) {
  int null_fd = ::open("/dev/null", O_RDONLY);
  if (null_fd < 0 || ::dup2(null_fd, 0) < 0 || ::dup2(out_fd, 1) < 0 ||
      ::dup2(out_fd, 2) < 0)
    ::_exit(127);
  if (as_uid >= 0 &&
      (::setgroups(0, nullptr) < 0 || ::setgid(as_uid) < 0 || ::setuid(as_uid) < 0))
    ::_exit(126);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  char path[] = "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
  char* env[] = {path, nullptr};
  ::execve(args[0], args.data(), env);
  ::_exit(127);
}

// Reads `fd` until EOF or `deadline`; false on timeout.
bool ReadUntil(int fd, double deadline, std::string* out) {
  char buf[4096];
  for (;;) {
    double left = deadline - MonotonicSeconds();
    if (left <= 0) return false;
    struct pollfd p = {fd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left * 1000) + 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return r == 0 ? false : true;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;
    if (out->size() < (1 << 16)) out->append(buf, static_cast<size_t>(n));
  }
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r'))
    s.pop_back();
  return s;
}

}  // namespace

ProgramResult RunProgram(const std::vector<std::string>& argv,
                         double timeout_seconds, int as_uid) {
  ProgramResult result;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0) ThrowErrno("pipe2", "");
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  pid_t pid = ::fork();
  if (pid < 0) ThrowErrno("fork", "");
  if (pid == 0) ExecChild(argv, write_end.get(), as_uid);
  write_end.reset();
  bool finished = ReadUntil(read_end.get(), MonotonicSeconds() + timeout_seconds,
                            &result.output);
  if (!finished) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.output = Trim(result.output);
  if (!finished) return result;
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
  return result;
}

std::string FirstLine(const std::string& text, size_t max) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > max) line = line.substr(0, max) + "…";
  return line;
}

}  // namespace redline
