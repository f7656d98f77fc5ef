// Which program a process runs, decided by what runs, never by names: the
// file behind /proc/pid/exe, or — when that is the dynamic loader, as for
// `/lib64/ld-linux-x86-64.so.2 ./bin/agent` — the one program the loader
// mapped. Its content (size, then SHA-256) is compared with the system's own
// programs. Renamed copies, copies in other folders, `exec -a`, watchdogs,
// setsid and double forks change none of this; a python script, a shell
// loop or a patched binary is another program.
#ifndef REDLINE_CHECK_PROGRAM_IDENTITY_H_
#define REDLINE_CHECK_PROGRAM_IDENTITY_H_

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace redline {

/// A program file's content, to compare with.
struct ProgramFingerprint {
  uint64_t size = 0;
  std::string sha256;  ///< 64 lowercase hex digits; "" = unknown
};

/// The fingerprint of the file at `path`. Throws SystemError.
ProgramFingerprint FingerprintFile(const std::string& path);

/// The program file a process runs, as the host sees it.
struct RunningProgram {
  bool found = false;
  /// "exe", or "loader" when the exe is the dynamic loader that loaded it.
  std::string via;
  std::string path;        ///< as the process names it (maps or exe link)
  uint64_t dev = 0, ino = 0, size = 0;
  /// Where the host opens it: /proc/<pid>/exe, /proc/<pid>/map_files/…, or
  /// /proc/<pid>/root/<path>.
  std::string open_path;
  std::string error;       ///< why not found
  /// Executable code mapped from a file that is neither the program, the
  /// loader nor a host system library (LD_PRELOAD, a dlopen'ed file the
  /// device wrote): its path; "" if none. Such a process is not the
  /// program, whatever its exe.
  std::string foreign_code;
};

/// Reads /proc/<pid>/exe and, for the loader case, /proc/<pid>/maps.
RunningProgram ReadRunningProgram(pid_t pid);

/// True if `pid` runs a program with `want`'s content and no foreign code. Hashes only files of
/// the right size, and each file once (cached by device, inode, size and
/// change time). `*seen` (if given) receives what it runs.
bool RunsProgram(pid_t pid, const ProgramFingerprint& want, RunningProgram* seen = nullptr);

/// The content of what `pid` runs; size 0 if it cannot be read.
ProgramFingerprint FingerprintOfRunning(pid_t pid, RunningProgram* seen = nullptr);

/// One line for evidence: "<path> (via loader)".
std::string DescribeProgram(const RunningProgram& program);

}  // namespace redline

#endif  // REDLINE_CHECK_PROGRAM_IDENTITY_H_
