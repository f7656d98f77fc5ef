#include "system/system_test_util.h"

#include "system/weight_challenge.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "base/clock.h"
#include "base/error.h"
#include "base/files.h"

extern char** environ;

namespace redline {
namespace {

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Waits for `pid` up to `timeout_seconds`; the decoded status, or -1.
int WaitPid(pid_t pid, double timeout_seconds) {
  double deadline = MonotonicSeconds() + timeout_seconds;
  for (;;) {
    int status = 0;
    pid_t got = ::waitpid(pid, &status, WNOHANG);
    if (got == pid) return DecodeStatus(status);
    if (got < 0 && errno != EINTR) return -1;
    if (MonotonicSeconds() > deadline) return -1;
    SleepSeconds(0.005);
  }
}

pid_t Spawn(const std::vector<std::string>& argv, int out_fd, int err_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  std::vector<char*> args;
  for (const std::string& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw SystemError("posix_spawn(\"" + argv[0] + "\")", rc);
  return pid;
}

}  // namespace

ScopedTempDir::ScopedTempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") +
                        "/redline-system-test.XXXXXX";
  if (!::mkdtemp(pattern.data())) ThrowErrno("mkdtemp");
  path_ = pattern;
}

ScopedTempDir::~ScopedTempDir() {
  try {
    RemoveTree(path_);
  } catch (const SystemError&) {
  }
}

void WriteTestFile(const std::string& path, const std::string& content,
                   unsigned mode) {
  WriteFileAtomic(path, content);
  if (::chmod(path.c_str(), mode) != 0) ThrowErrno("chmod");
}

CommandResult RunCommand(const std::vector<std::string>& argv,
                         double timeout_seconds) {
  ScopedTempDir dir;
  std::string out_path = dir.path() + "/out", err_path = dir.path() + "/err";
  UniqueFd out(::open(out_path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
  UniqueFd err(::open(err_path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
  if (!out.valid() || !err.valid()) ThrowErrno("open");
  pid_t pid = Spawn(argv, out.get(), err.get());
  CommandResult result;
  result.exit_code = WaitPid(pid, timeout_seconds);
  if (result.exit_code == -1) {
    ::kill(pid, SIGKILL);
    WaitPid(pid, 5);
  }
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  return result;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) ThrowErrno("pipe2");
  out_.reset(fds[0]);
  UniqueFd write_end(fds[1]);
  pid_ = Spawn(argv, write_end.get(), write_end.get());
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    WaitPid(pid_, 5);
  }
}

bool ChildProcess::ReadSome(double timeout_seconds) {
  if (eof_) return false;
  pollfd p{out_.get(), POLLIN, 0};
  int n = ::poll(&p, 1, static_cast<int>(timeout_seconds * 1000));
  if (n <= 0) return true;
  char buf[4096];
  ssize_t got = ::read(out_.get(), buf, sizeof buf);
  if (got <= 0) {
    if (got < 0 && errno == EINTR) return true;
    eof_ = true;
    return false;
  }
  partial_.append(buf, static_cast<size_t>(got));
  size_t newline;
  while ((newline = partial_.find('\n')) != std::string::npos) {
    lines_.push_back(partial_.substr(0, newline));
    partial_.erase(0, newline + 1);
  }
  return true;
}

bool ChildProcess::WaitForLine(const std::string& needle,
                               double timeout_seconds) {
  double deadline = MonotonicSeconds() + timeout_seconds;
  size_t checked = 0;
  for (;;) {
    for (; checked < lines_.size(); ++checked)
      if (lines_[checked].find(needle) != std::string::npos) return true;
    double left = deadline - MonotonicSeconds();
    if (left <= 0 || !ReadSome(std::min(left, 0.1))) return false;
  }
}

int ChildProcess::Wait(double timeout_seconds) {
  double deadline = MonotonicSeconds() + timeout_seconds;
  while (ReadSome(0.05) && MonotonicSeconds() < deadline) {
  }
  int status = WaitPid(pid_, std::max(0.0, deadline - MonotonicSeconds()));
  if (status != -1) pid_ = -1;
  return status;
}

std::string ChildProcess::Output() const {
  std::string text;
  for (const std::string& line : lines_) text += line + "\n";
  return text + partial_;
}

int FreeLoopbackPort() {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) ThrowErrno("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    ThrowErrno("bind");
  socklen_t len = sizeof addr;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    ThrowErrno("getsockname");
  return ntohs(addr.sin_port);
}

FakeBroker::FakeBroker(std::string socket_path, std::string answer)
    : socket_path_(std::move(socket_path)), answer_(std::move(answer)) {
  listen_fd_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!listen_fd_.valid()) ThrowErrno("socket(AF_UNIX)");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_path_.c_str(), sizeof addr.sun_path - 1);
  if (::bind(listen_fd_.get(), reinterpret_cast<sockaddr*>(&addr),
             sizeof addr) != 0)
    ThrowErrno("bind(\"" + socket_path_ + "\")");
  if (::listen(listen_fd_.get(), 16) != 0) ThrowErrno("listen");
  thread_ = std::thread([this] { Serve(); });
}

FakeBroker::~FakeBroker() { Close(); }

void FakeBroker::Close() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  ::unlink(socket_path_.c_str());
}

std::vector<std::string> FakeBroker::requests() {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

namespace {

std::string ReadLineFrom(int fd) {
  std::string line;
  char byte;
  while (::read(fd, &byte, 1) == 1 && byte != '\n') line.push_back(byte);
  return line;
}

void SendLineTo(int fd, const std::string& line) {
  std::string out = line + "\n";
  (void)!::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
}

}  // namespace

void FakeBroker::Serve() {
  while (!stop_) {
    pollfd p{listen_fd_.get(), POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    UniqueFd conn(::accept4(listen_fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn.valid()) continue;
    std::string line = ReadLineFrom(conn.get());
    // The stand-in admits every server: a challenge over no bytes.
    if (IsAttestRequest(line)) {
      SendLineTo(conn.get(), ChallengeLine(WeightChallenge{"stand-in", {}}));
      ReadLineFrom(conn.get());
      SendLineTo(conn.get(), R"({"ok":true})");
      continue;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      requests_.push_back(line);
    }
    SendLineTo(conn.get(), answer_);
  }
}

}  // namespace redline
