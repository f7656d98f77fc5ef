#include "harness.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "base/clock.h"
#include "base/files.h"
#include "base/random.h"

namespace redline::testing {

CommandResult RunRedline(const std::string& args) {
  CommandResult result;
  std::string command = std::string(REDLINE_BIN) + " " + args + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return result;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) result.output.append(buf, n);
  int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

int StartRedline(const std::vector<std::string>& args, const std::string& log) {
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ::dup2(fd, 1);
  ::dup2(fd, 2);
  std::vector<char*> argv{const_cast<char*>(REDLINE_BIN)};
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(REDLINE_BIN, argv.data());
  ::_exit(127);
}

int WaitExit(int pid, double timeout) {
  int status = 0;
  bool exited = WaitFor([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, timeout);
  if (!exited) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

bool WaitFor(const std::function<bool()>& condition, double timeout) {
  double deadline = MonotonicSeconds() + timeout;
  while (MonotonicSeconds() < deadline) {
    if (condition()) return true;
    SleepSeconds(0.02);
  }
  return condition();
}

std::string FreshDir(const std::string& prefix) {
  std::string dir = "/tmp/" + prefix + "-" + RandomToken(8);
  MakeDirs(dir);
  return dir;
}

std::string QuickFlags() {
  return "--shard-load-seconds 0 --long-running-wait 1 --receive-wait 1 "
         "--time-limit 120 --probe-timeout 30 --quiet";
}

std::string Replay(const std::string& name) {
  return std::string(REPLAY_DIR) + "/" + name + ".jsonl";
}

}  // namespace redline::testing
