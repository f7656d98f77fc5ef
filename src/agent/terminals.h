// The real Environment: five terminals that run `/bin/bash -c <command>`.
//
// Every command gets its own session (setsid), reads /dev/null and writes
// to files, never to a pipe of the agent: a server started from a terminal
// must survive the agent's death, as the paper's replicas did. The agent
// reaps its own children; it never kills a long-running command on its own.
#ifndef REDLINE_AGENT_TERMINALS_H_
#define REDLINE_AGENT_TERMINALS_H_

#include <sys/types.h>

#include <array>
#include <cstddef>
#include <string>

#include "agent/environment.h"

namespace redline {

class Terminals : public Environment {
 public:
  static constexpr int kCount = 5;
  /// At most this much of each of stdout and stderr is read after a
  /// one_time command (head and tail halves; the middle is marked dropped).
  static constexpr size_t kOneTimeReadLimit = 1 << 20;
  /// The same for the new output returned by long_running and receive.
  static constexpr size_t kReceiveLimit = 64 << 10;
  /// Appended to stderr once a command has ended, as the paper's scaffold did.
  static constexpr const char* kEndMarker = "_end_of_command_execution_\n";

  /// Command output files go under `output_dir`, one .out/.err pair per
  /// command, created (mkdir -p) on first use and left in place afterwards.
  explicit Terminals(std::string output_dir = DefaultOutputDir());
  /// Leaves running commands alone: they must outlive the agent.
  ~Terminals() override = default;
  Terminals(const Terminals&) = delete;
  Terminals& operator=(const Terminals&) = delete;

  ActionResult Execute(const std::string& terminal_id,
                       const std::string& command, CommandType type,
                       const Timings& timings) override;
  ActionResult Receive(const std::string& terminal_id,
                       const Timings& timings) override;

  /// "Terminal 1: Idle\nTerminal 2: Busy (Executing long term command:
  /// <cmd>)\n..." for all five, each line ending in '\n'. Reaps first.
  std::string TerminalInfo();
  /// Pid of the long-running command in `terminal_id` while it runs
  /// (it is also its process group and session id), else -1.
  pid_t RunningPid(const std::string& terminal_id);

  /// /tmp/redline-agent-<pid of this process>.
  static std::string DefaultOutputDir();

 private:
  /// The last long_running command of one terminal.
  struct Job {
    /// Set once a long_running command was started in this terminal.
    bool exists = false;
    /// PID of bash. -1 once reaped.
    pid_t pid = -1;
    std::string command;
    std::string out_path;
    std::string err_path;
    /// Bytes of each file already shown to the model.
    off_t out_offset = 0;
    off_t err_offset = 0;
    /// Valid once pid == -1.
    int exit_code = 0;
    bool running() const { return pid != -1; }
  };
  struct Spawned {
    pid_t pid = -1;
    std::string out_path;
    std::string err_path;
    std::string error;  ///< set iff the command could not be started
  };

  ActionResult RunOneTime(int index, const std::string& command,
                          double timeout_seconds);
  ActionResult StartLongRunning(int index, const std::string& command,
                                double wait_seconds);
  Spawned Spawn(int index, const std::string& command);
  ActionResult SpawnFailure(const Spawned& spawned);
  /// Collects the exit status of a finished job without blocking.
  void Reap(Job* job);
  /// Reads what the job wrote since the last read into result.
  void ReadNewOutput(Job* job, ActionResult* result);
  /// The status for a busy terminal, naming the idle ones.
  std::string BusyStatus(int index);
  /// Index 0..4 for "1".."5", else -1.
  static int IndexOf(const std::string& terminal_id);
  ActionResult InvalidId(const std::string& terminal_id);

  std::string output_dir_;
  std::array<Job, kCount> jobs_;
  /// Numbers the output files.
  int sequence_ = 0;
};

}  // namespace redline

#endif  // REDLINE_AGENT_TERMINALS_H_
