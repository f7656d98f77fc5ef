// Runs a program the harness itself chose (ip, ssh-keygen, bwrap --version,
// sbatch; never a model's command) and captures what it prints, within a
// time limit. One implementation for the world's set-up, the doctor and the
// cluster executor.
#ifndef REDLINE_BASE_CAPTURED_RUN_H_
#define REDLINE_BASE_CAPTURED_RUN_H_

#include <cstddef>
#include <string>
#include <vector>

namespace redline {

/// The system's programs, for a child that gets no environment of ours.
inline constexpr const char* kSystemPath = "/usr/sbin:/usr/bin:/sbin:/bin";

struct CapturedRunOptions {
  /// The child is killed (SIGKILL) after this long.
  double timeout_seconds = 10;
  /// false: the child's environment is only PATH=`path`; true: the
  /// harness's own environment (a cluster tool needs SLURM_CONF and the
  /// user's settings).
  bool inherit_environment = false;
  std::string path = kSystemPath;
  /// false: stderr goes where stdout goes (into `out`).
  bool separate_stderr = false;
  /// >= 0: the child drops to this uid and gid before exec (root only).
  int as_uid = -1;
  /// What is kept of each stream; the rest is read and dropped.
  size_t max_out = 64 << 10;
  size_t max_err = 64 << 10;
};

struct CapturedRun {
  /// Exit status; 128 + signal if a signal ended it; 127 if it could not
  /// be executed (126 if it could not drop to `as_uid`); -1 if it ran past
  /// the time limit (then it was killed), reading or exiting.
  int exit_code = -1;
  bool timed_out = false;
  /// stdout (with stderr unless separate_stderr). Trailing whitespace is
  /// trimmed from merged output, kept in a separate stdout (parsed output).
  std::string out;
  /// stderr when separate_stderr, trailing whitespace trimmed.
  std::string err;
};

/// Runs `argv` with stdin from /dev/null, no signal blocked and SIGPIPE at
/// its default (whatever the harness does with them). argv[0] without a '/'
/// is looked up in the PATH the child gets, as a regular executable file
/// (not found: exit_code 127, and the message in stderr's place; a script
/// without "#!" is not run through sh). Throws SystemError only if no child
/// could be started at all (pipe, fork).
CapturedRun RunCaptured(const std::vector<std::string>& argv,
                        const CapturedRunOptions& options = {});

/// The first regular executable file `name` in the colon-separated
/// `path`, or "".
std::string FindInPath(const std::string& name, const std::string& path);

}  // namespace redline

#endif  // REDLINE_BASE_CAPTURED_RUN_H_
