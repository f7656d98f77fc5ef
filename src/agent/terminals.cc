#include "agent/terminals.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "agent/truncate.h"
#include "base/clock.h"
#include "base/error.h"
#include "base/files.h"
#include "base/unique_fd.h"
#include "base/wait_child.h"

extern char** environ;

namespace redline {
namespace {

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);  // as Python's returncode
  return -1;
}

// Waits for `pid` to exit until `deadline`; returns true with *exit_code set
// once it was reaped (-1 if someone else reaped it). We wait for the
// process, not for EOF on its output: `nohup server &` keeps the files open
// for hours.
bool WaitUntil(pid_t pid, double deadline, int* exit_code) {
  int status = 0;
  switch (WaitChild(pid, deadline, &status)) {
    case ChildWait::kExited:
      *exit_code = DecodeStatus(status);
      return true;
    case ChildWait::kGone:
      *exit_code = -1;
      return true;
    case ChildWait::kTimedOut:
      return false;
  }
  return false;
}

off_t FileSize(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? st.st_size : 0;
}

std::string PRead(int fd, off_t offset, size_t length) {
  std::string buf(length, '\0');
  size_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd, buf.data() + done, length - done,
                        offset + static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  buf.resize(done);
  return buf;
}

// Bytes [*offset, end of file) of `path`, at most `limit` of them (head and
// tail halves with a marker between); advances *offset to the end read.
std::string ReadFrom(const std::string& path, off_t* offset, size_t limit) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return "";
  struct stat st;
  if (::fstat(fd.get(), &st) != 0 || st.st_size <= *offset) return "";
  off_t start = *offset;
  size_t length = static_cast<size_t>(st.st_size - start);
  *offset = st.st_size;
  if (length <= limit) return PRead(fd.get(), start, length);
  std::string head = PRead(fd.get(), start, limit / 2);
  std::string tail =
      PRead(fd.get(), st.st_size - static_cast<off_t>(limit / 2), limit / 2);
  return JoinHeadTail(head, tail, length);
}

std::string FormatSeconds(double seconds) {
  char buf[32];
  if (seconds == std::floor(seconds) && seconds < 1e9) {
    std::snprintf(buf, sizeof buf, "%.0f", seconds);
  } else {
    std::snprintf(buf, sizeof buf, "%g", seconds);
  }
  return buf;
}

}  // namespace

Terminals::Terminals(std::string output_dir)
    : output_dir_(std::move(output_dir)) {}

std::string Terminals::DefaultOutputDir() {
  return "/tmp/redline-agent-" + std::to_string(::getpid());
}

int Terminals::IndexOf(const std::string& terminal_id) {
  if (terminal_id.size() == 1 && terminal_id[0] >= '1' &&
      terminal_id[0] < '1' + kCount)
    return terminal_id[0] - '1';
  return -1;
}

ActionResult Terminals::InvalidId(const std::string& terminal_id) {
  ActionResult result;
  result.status = "Invalid terminal_id '" + terminal_id +
                  "'. There are five terminals: use terminal_id '1', '2', "
                  "'3', '4' or '5'.";
  result.terminal_info = TerminalInfo();
  return result;
}

std::string Terminals::BusyStatus(int index) {
  std::string idle;
  for (int i = 0; i < kCount; ++i) {
    Reap(&jobs_[i]);
    if (jobs_[i].running()) continue;
    if (!idle.empty()) idle += ", ";
    idle += std::to_string(i + 1);
  }
  std::string status = "Terminal " + std::to_string(index + 1) +
                       " is busy executing the long term command '" +
                       jobs_[index].command + "'. ";
  if (idle.empty()) {
    status +=
        "No terminal is idle; receive the output of a busy terminal "
        "until its command ends.";
  } else {
    status += "Idle terminals: " + idle +
              ". Run the command in an idle terminal, or receive this "
              "terminal's output with "
              "receive_data_of_long_term_command_from_terminal.";
  }
  return status;
}

ActionResult Terminals::Execute(const std::string& terminal_id,
                                const std::string& command, CommandType type,
                                const Timings& timings) {
  int index = IndexOf(terminal_id);
  if (index < 0) return InvalidId(terminal_id);
  Reap(&jobs_[index]);
  if (jobs_[index].running()) {
    ActionResult result;
    result.status = BusyStatus(index);
    result.terminal_info = TerminalInfo();
    return result;
  }
  return type == CommandType::kOneTime
             ? RunOneTime(index, command, timings.command_timeout_seconds)
             : StartLongRunning(index, command,
                                timings.long_running_wait_seconds);
}

Terminals::Spawned Terminals::Spawn(int index, const std::string& command) {
  Spawned spawned;
  try {
    MakeDirs(output_dir_);
  } catch (const SystemError& e) {
    spawned.error = e.what();
    return spawned;
  }
  std::string base =
      JoinPath(output_dir_, "cmd-" + std::to_string(++sequence_) + "-t" +
                                std::to_string(index + 1));
  spawned.out_path = base + ".out";
  spawned.err_path = base + ".err";

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  // stdin from /dev/null and output to files: no pipe ties the command to
  // the agent, so it keeps running (and writing) after the agent dies.
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, spawned.out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, spawned.err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  // No inherited fds: a leaked listening socket would keep the agent's port
  // bound by its children after the agent is gone.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  // A new session makes the command its own process group (killpg on
  // timeout reaches its children) and detaches it from the agent's.
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1,
                  SIGUSR2, SIGALRM})
    sigaddset(&defaults, sig);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF);
  std::string bash = "/bin/bash", dash_c = "-c", cmd = command;
  char* argv[] = {bash.data(), dash_c.data(), cmd.data(), nullptr};
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, "/bin/bash", &actions, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    spawned.error = std::string("posix_spawn /bin/bash: ") + std::strerror(rc);
    return spawned;
  }
  spawned.pid = pid;
  return spawned;
}

ActionResult Terminals::SpawnFailure(const Spawned& spawned) {
  ActionResult result;
  result.status = "Failed to start the command: " + spawned.error + ".";
  result.terminal_info = TerminalInfo();
  return result;
}

ActionResult Terminals::RunOneTime(int index, const std::string& command,
                                   double timeout_seconds) {
  Spawned spawned = Spawn(index, command);
  if (spawned.pid < 0) return SpawnFailure(spawned);
  ActionResult result;
  int exit_code = 0;
  bool timed_out = false;
  if (!WaitUntil(spawned.pid, MonotonicSeconds() + timeout_seconds,
                 &exit_code)) {
    timed_out = true;
    ::killpg(spawned.pid, SIGKILL);
    ::kill(spawned.pid, SIGKILL);  // bash itself, even if it left its group
    WaitUntil(spawned.pid, MonotonicSeconds() + 3600, &exit_code);
  }
  off_t out_offset = 0, err_offset = 0;
  result.stdout_text =
      ReadFrom(spawned.out_path, &out_offset, kOneTimeReadLimit);
  result.stderr_text =
      ReadFrom(spawned.err_path, &err_offset, kOneTimeReadLimit) + kEndMarker;
  result.exit_code = exit_code;
  result.status = timed_out ? "Short term command timed out after " +
                                  FormatSeconds(timeout_seconds) +
                                  " seconds and was killed."
                            : "Short term command executed. You can directly "
                              "get the result.";
  result.terminal_info = TerminalInfo();
  return result;
}

ActionResult Terminals::StartLongRunning(int index, const std::string& command,
                                         double wait_seconds) {
  Spawned spawned = Spawn(index, command);
  if (spawned.pid < 0) return SpawnFailure(spawned);
  ActionResult result;
  Job& job = jobs_[index];
  job = Job{true, spawned.pid, command, spawned.out_path, spawned.err_path};
  int exit_code = 0;
  if (WaitUntil(job.pid, MonotonicSeconds() + wait_seconds, &exit_code)) {
    job.pid = -1;
    job.exit_code = exit_code;
  }
  ReadNewOutput(&job, &result);
  if (!job.running()) {
    *result.stderr_text += kEndMarker;
    result.exit_code = job.exit_code;
  }
  if (!job.running() && job.exit_code != 0) {
    result.status = "Meet error when execute the long_running command '" +
                    command +
                    "'. Try to debug the command and check if the command is "
                    "a one_time one.";
  } else {
    result.status = "Long term command '" + command +
                    "' executed. Try to check whether the command has been "
                    "successfully executed as the long running command";
  }
  result.terminal_info = TerminalInfo();
  return result;
}

ActionResult Terminals::Receive(const std::string& terminal_id,
                                const Timings& timings) {
  int index = IndexOf(terminal_id);
  if (index < 0) return InvalidId(terminal_id);
  Job& job = jobs_[index];
  ActionResult result;
  if (!job.exists) {
    result.status = "Terminal " + terminal_id +
                    " has no long term command to receive data from. Start "
                    "one with command_type 'long_running' first.";
    result.terminal_info = TerminalInfo();
    return result;
  }
  // Wait for new output (then let a burst finish) or for the command to
  // end, whichever comes first, but no longer than the receive wait.
  double deadline = MonotonicSeconds() + timings.receive_wait_seconds;
  double last_growth = -1;
  off_t seen = job.out_offset + job.err_offset;
  while (true) {
    Reap(&job);
    if (!job.running()) break;
    double now = MonotonicSeconds();
    off_t size = FileSize(job.out_path) + FileSize(job.err_path);
    if (size != seen) {
      seen = size;
      last_growth = now;
    } else if (last_growth >= 0 && now - last_growth >= 0.1) {
      break;
    }
    if (now >= deadline) break;
    SleepSeconds(std::min(0.005, deadline - now));
  }
  ReadNewOutput(&job, &result);
  result.status = "Received new output of terminal " + terminal_id + ".";
  result.exited = !job.running();
  if (!job.running()) result.exit_code = job.exit_code;
  result.terminal_info = TerminalInfo();
  return result;
}

void Terminals::ReadNewOutput(Job* job, ActionResult* result) {
  result->stdout_text =
      ReadFrom(job->out_path, &job->out_offset, kReceiveLimit);
  result->stderr_text =
      ReadFrom(job->err_path, &job->err_offset, kReceiveLimit);
}

void Terminals::Reap(Job* job) {
  if (!job->running()) return;
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(job->pid, &status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == job->pid) {
    job->exit_code = DecodeStatus(status);
    job->pid = -1;
  } else if (r < 0) {  // ECHILD: not ours any more; treat as ended
    job->exit_code = -1;
    job->pid = -1;
  }
}

std::string Terminals::TerminalInfo() {
  std::string info;
  for (int i = 0; i < kCount; ++i) {
    Reap(&jobs_[i]);
    info += "Terminal " + std::to_string(i + 1) + ": ";
    info += jobs_[i].running()
                ? "Busy (Executing long term command: " + jobs_[i].command + ")"
                : "Idle";
    info += "\n";
  }
  return info;
}

pid_t Terminals::RunningPid(const std::string& terminal_id) {
  int index = IndexOf(terminal_id);
  if (index < 0) return -1;
  Reap(&jobs_[index]);
  return jobs_[index].pid;
}

}  // namespace redline
