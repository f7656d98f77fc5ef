// bubblewrap builds the device's namespaces; pidfds let teardown confirm
// every process exited without being fooled by pid reuse.
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "device/device.h"
#include "doctor/host_checks.h"
#include "doctor/run_program.h"

namespace redline {
namespace {

constexpr char kInstall[] = "apt install bubblewrap (Debian, Ubuntu); dnf install "
                            "bubblewrap (Fedora)";

// The flags the device passes that matter to the kernel (bwrap_args.cc),
// around a program that only exits.
std::vector<std::string> DeviceLikeArgs(const std::string& bwrap) {
  return {bwrap, "--unshare-all", "--unshare-user", "--disable-userns",
          "--die-with-parent", "--ro-bind", "/", "/", "/bin/true"};
}

Check TryBwrap(const std::string& name, const std::vector<std::string>& argv,
               int as_uid) {
  CapturedRun r = RunProgram(argv, 10, as_uid);
  std::string shown;
  for (size_t i = 1; i < argv.size(); ++i) shown += " " + argv[i];
  if (r.exit_code == 0) return Ok(name, "`bwrap" + shown + "` works");
  std::string why = r.exit_code < 0 ? "timed out" : "exit " + std::to_string(r.exit_code);
  if (!r.out.empty()) why += ": " + FirstLine(r.out);
  std::string fix = "see the user namespaces line";
  if (r.out.find("disable-userns") != std::string::npos)
    fix = "bubblewrap 0.8 or newer is needed (--disable-userns)";
  return Fail(name, "`bwrap" + shown + "` failed (" + why + "): no device can start",
              fix);
}

Check PidfdCheck() {
  long fd = ::syscall(SYS_pidfd_open, ::getpid(), 0);
  if (fd >= 0) {
    ::close(static_cast<int>(fd));
    return Ok("pidfd_open", "available");
  }
  return Warn("pidfd_open", std::string("unavailable (") + std::strerror(errno) +
                                "): teardown falls back to polling pids, which a "
                                "reused pid can fool",
              "use a kernel >= 5.3");
}

}  // namespace

std::string FindBwrap() {
  const char* env = std::getenv("PATH");
  std::string path = std::string(env && *env ? env : "/usr/local/bin:/usr/bin:/bin") +
                     ":/usr/bin";
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    std::string candidate = dir + "/bwrap";
    if (dir.starts_with("/") && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

Checks SandboxChecks(const std::string& bwrap) {
  if (bwrap.empty())
    return {Fail("bubblewrap", "bwrap not found in PATH: no device can start", kInstall),
            PidfdCheck()};
  CapturedRun version = RunProgram({bwrap, "--version"}, 5);
  Checks out{Ok("bubblewrap", bwrap + " (" + FirstLine(version.out) + ")")};
  out.push_back(TryBwrap("bwrap sandbox",
                         {bwrap, "--unshare-all", "--die-with-parent", "--ro-bind",
                          "/", "/", "/bin/true"},
                         -1));
  // What the device really does: as root, bwrap runs as nobody, so nobody
  // must be able to make the namespaces.
  uid_t uid = DeviceHostUid();
  if (::geteuid() == 0) {
    Check as_device = TryBwrap("bwrap as the device user (uid " + std::to_string(uid) + ")",
                               DeviceLikeArgs(bwrap), static_cast<int>(uid));
    out.push_back(as_device);
  } else {
    out.push_back(TryBwrap("bwrap with the device's flags", DeviceLikeArgs(bwrap), -1));
  }
  out.push_back(PidfdCheck());
  return out;
}

}  // namespace redline
