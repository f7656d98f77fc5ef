// The escape suite's cases (issue 5): what each tries from inside a device,
// what must happen instead, and how the host side is checked. Plain data;
// selftest_runner.cc runs them.
#ifndef REDLINE_SELFTEST_ESCAPE_CASES_H_
#define REDLINE_SELFTEST_ESCAPE_CASES_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace redline {

/// The limits of a selftest device: small, so the bombs hit them fast.
inline constexpr uint64_t kSelftestMemoryBytes = 64ull << 20;
inline constexpr int kSelftestPids = 32;
inline constexpr uint64_t kSelftestDiskBytes = 16ull << 20;

/// What the runner sets up on the host before the cases run.
struct HostFixture {
  std::string root;           ///< /tmp/rl-selftest-XXXX (printed first)
  std::string run_file;       ///< a world-readable file of a "run folder"
  std::string key_file;       ///< the API key, 0600 in a 0700 folder
  std::string key_prefix;     ///< what every key starts with ("sk-…")
  std::string readonly_name;  ///< file name tried in /usr, /etc, /…
  int loopback_port = 0;      ///< a listener on the host's 127.0.0.1 and ::1
  int listen_fds[3] = {-1, -1, -1};  ///< v4, v6, abstract unix (non-blocking)
  pid_t host_process = -1;    ///< a sleeping host process, the harness's child
  std::string key_secret;       ///< the API key itself
  std::string key_description;  ///< a key in the harness's session keyring
  long key_serial = -1;         ///< its serial; -1 without keyrings
  std::string kmsg_marker;      ///< what write_kmsg tries to log
};

enum class CaseKind {
  kProbe,    ///< runs redline-escape-probe <name> <argument>
  kReboot,   ///< runs `reboot` in bash: must end this device only
};

struct EscapeCase {
  std::string name;
  std::string attempt;   ///< what it tries, for the table
  std::string expected;  ///< what must happen instead
  CaseKind kind = CaseKind::kProbe;
};

/// Every case, in the order the table lists them.
const std::vector<EscapeCase>& EscapeCases();
/// Negative controls, run only when named (--case): they do something the
/// device allows and report it as an escape, so the suite's detection is
/// itself tested (the run must exit 1).
const std::vector<EscapeCase>& ControlCases();

/// The probe's argument for `name` on `fixture`.
std::string ProbeArgument(const std::string& name, const HostFixture& fixture);

}  // namespace redline

#endif  // REDLINE_SELFTEST_ESCAPE_CASES_H_
