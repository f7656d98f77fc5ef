// Helpers for system_test: temporary folders, child processes, a free port
// and a stand-in broker.
#ifndef REDLINE_SYSTEM_SYSTEM_TEST_UTIL_H_
#define REDLINE_SYSTEM_SYSTEM_TEST_UTIL_H_

#include <sys/types.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/unique_fd.h"

namespace redline {

/// A fresh directory under $TMPDIR (or /tmp), removed with its contents on
/// destruction, even when an assertion failed.
class ScopedTempDir {
 public:
  ScopedTempDir();
  ~ScopedTempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// Writes `content` to `path` with `mode`.
void WriteTestFile(const std::string& path, const std::string& content,
                   unsigned mode = 0644);

struct CommandResult {
  /// Exit status, 128 + signal if killed, -1 if it timed out (then killed).
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs `argv` to completion, capturing stdout and stderr separately.
CommandResult RunCommand(const std::vector<std::string>& argv,
                         double timeout_seconds = 10);

/// A running child whose stdout and stderr go to one pipe that the test
/// reads line by line. SIGKILLed and reaped on destruction.
class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  /// Reads output until a line contains `needle`; false on timeout or EOF.
  bool WaitForLine(const std::string& needle, double timeout_seconds);
  /// Waits for exit, reading the rest of the output. Exit status, 128 +
  /// signal if killed, -1 on timeout.
  int Wait(double timeout_seconds);
  /// Every complete line read so far.
  const std::vector<std::string>& lines() const { return lines_; }
  /// All lines joined with '\n', for failure messages.
  std::string Output() const;

 private:
  /// Reads what is available within `timeout_seconds`; false at EOF.
  bool ReadSome(double timeout_seconds);

  pid_t pid_ = -1;
  UniqueFd out_;
  std::string partial_;
  std::vector<std::string> lines_;
  bool eof_ = false;
};

/// A TCP port on 127.0.0.1 that was free a moment ago.
int FreeLoopbackPort();

/// A broker stand-in on a unix socket: answers every request line with a
/// fixed answer line and records the requests.
class FakeBroker {
 public:
  FakeBroker(std::string socket_path, std::string answer);
  ~FakeBroker();
  FakeBroker(const FakeBroker&) = delete;
  FakeBroker& operator=(const FakeBroker&) = delete;

  /// Stops serving and removes the socket.
  void Close();
  std::vector<std::string> requests();

 private:
  void Serve();

  std::string socket_path_;
  std::string answer_;
  UniqueFd listen_fd_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

}  // namespace redline

#endif  // REDLINE_SYSTEM_SYSTEM_TEST_UTIL_H_
