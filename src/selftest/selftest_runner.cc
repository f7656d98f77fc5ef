#include "selftest/selftest_runner.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <memory>
#include <set>
#include <sstream>

#include "base/clock.h"
#include "base/error.h"
#include "base/files.h"
#include "base/random.h"
#include "base/unique_fd.h"
#include "device/cgroup.h"
#include "device/device.h"
#include "device/privilege.h"
#include "device/proc.h"
#include "selftest/case_watch.h"
#include "selftest/escape_cases.h"

namespace redline {
namespace {

constexpr double kCaseTimeout = 60;
constexpr char kLogInside[] = "/run/llm-backend/probe.log";
constexpr const char* kKeyVariables[] = {"OPENAI_API_KEY", "ANTHROPIC_API_KEY"};
// Where write_readonly tries to create its file (relative to /).
constexpr const char* kReadOnlyDirs[] = {"usr/", "usr/lib/", "etc/", "bin/",
                                         "lib64/"};

void MakeDir(const std::string& path, mode_t mode) {
  MakeDirs(path);
  if (::chmod(path.c_str(), mode) != 0) ThrowErrno("chmod(\"" + path + "\")");
}

int Listen(int family, int port, int* bound_port) {
  int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  int r;
  if (family == AF_INET) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    r = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    if (bound_port) *bound_port = ntohs(a.sin_port);
  } else {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(static_cast<uint16_t>(port));
    a.sin6_addr = in6addr_loopback;
    r = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  if (r != 0 || ::listen(fd, 8) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

int ListenAbstract(const std::string& name) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::memcpy(a.sun_path + 1, name.data(), name.size());
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a),
             sizeof(sa_family_t) + 1 + name.size()) != 0 ||
      ::listen(fd, 8) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Where the runner's folder goes: /tmp/rl-selftest-XXXXXX, or under the
// prefix REDLINE_SELFTEST_PREFIX names (tests give each run its own, so
// none looks at another's).
std::string RootPrefix() {
  const char* env = ::getenv("REDLINE_SELFTEST_PREFIX");
  std::string prefix = env ? env : "/tmp/rl-selftest-";
  const std::string base = "/tmp/rl-selftest-";
  if (!prefix.starts_with(base) ||
      prefix.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                               "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-",
                               base.size()) != std::string::npos)
    throw InputError("REDLINE_SELFTEST_PREFIX=\"" + prefix +
                     "\": must be " + base + " followed by letters, digits "
                     "and '-'");
  return prefix;
}

// The host side of every case, set up once; removed by the destructor.
class Fixture {
 public:
  explicit Fixture(const SelftestOptions& options);
  ~Fixture();
  const HostFixture& host() const { return host_; }
  const std::string& devinit() const { return devinit_; }
  bool HostProcessFine() const;
  std::vector<std::string> Connections() const;

 private:
  HostFixture host_;
  std::string devinit_;
};

Fixture::Fixture(const SelftestOptions& options) {
  std::string tmpl = RootPrefix() + "XXXXXX";
  if (!::mkdtemp(tmpl.data())) ThrowErrno("mkdtemp(" + tmpl + ")");
  host_.root = tmpl;
  MakeDir(host_.root, 0755);
  MakeDir(host_.root + "/run", 0755);
  host_.run_file = host_.root + "/run/transcript.jsonl";
  WriteFileAtomic(host_.run_file, "{\"secret\": \"run data\"}\n");
  ::chmod(host_.run_file.c_str(), 0644);
  host_.key_prefix = "sk-rlselftest-";
  std::string key = host_.key_prefix + RandomToken(24);
  MakeDir(host_.root + "/secret", 0700);
  host_.key_file = host_.root + "/secret/api-key";
  WriteFileAtomic(host_.key_file, key + "\n");
  ::chmod(host_.key_file.c_str(), 0600);
  for (const char* name : kKeyVariables) ::setenv(name, key.c_str(), 1);
  PlantHostKey(&host_, key);
  host_.kmsg_marker = "rl-selftest-kmsg-" + RandomToken(12);
  host_.readonly_name = "rl-escape-" + RandomToken(8);
  host_.listen_fds[0] = Listen(AF_INET, 0, &host_.loopback_port);
  if (host_.listen_fds[0] < 0) ThrowErrno("listen on 127.0.0.1");
  host_.listen_fds[1] = Listen(AF_INET6, host_.loopback_port, nullptr);
  host_.listen_fds[2] =
      ListenAbstract("rl-selftest-" + std::to_string(host_.loopback_port));
  devinit_ = host_.root + "/devinit";
  CopyFile(options.devinit_path, devinit_);
  ::chmod(devinit_.c_str(), 0755);
  pid_t parent = ::getpid();
  host_.host_process = ::fork();
  if (host_.host_process == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(0);
    while (true) ::pause();
  }
  if (host_.host_process < 0) ThrowErrno("fork");
}

Fixture::~Fixture() {
  if (host_.host_process > 0) {
    ::kill(host_.host_process, SIGKILL);
    ::waitpid(host_.host_process, nullptr, 0);
  }
  for (int fd : host_.listen_fds)
    if (fd >= 0) ::close(fd);
  for (const char* name : kKeyVariables) ::unsetenv(name);
  try {
    RevokeHostKey(host_);
    RemoveTree(host_.root);
  } catch (const std::exception&) {
  }
}

// Alive, not stopped, not traced.
bool Fixture::HostProcessFine() const {
  int status;
  if (::waitpid(host_.host_process, &status, WNOHANG | WUNTRACED) != 0)
    return false;
  std::string text;
  try {
    text = ReadFile("/proc/" + std::to_string(host_.host_process) + "/status");
  } catch (const std::exception&) {
    return false;
  }
  return text.find("TracerPid:\t0\n") != std::string::npos;
}

std::vector<std::string> Fixture::Connections() const {
  std::vector<std::string> seen;
  const char* names[] = {"127.0.0.1", "::1", "abstract unix"};
  for (int i = 0; i < 3; ++i) {
    if (host_.listen_fds[i] < 0) continue;
    int fd = ::accept4(host_.listen_fds[i], nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) {
      seen.push_back(std::string("the host server on ") + names[i] +
                     " accepted a connection");
      ::close(fd);
    }
  }
  return seen;
}

// pidfds of every process in the device now: readable once each is gone.
std::vector<UniqueFd> PinProcesses(const Device& device) {
  std::vector<UniqueFd> fds;
  for (pid_t pid : device.Pids())
    fds.emplace_back(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  return fds;
}

int Survivors(const std::vector<UniqueFd>& fds) {
  int alive = 0;
  for (const UniqueFd& fd : fds) {
    if (!fd.valid()) continue;
    struct pollfd p = {fd.get(), POLLIN, 0};
    if (::poll(&p, 1, 0) == 0) ++alive;
  }
  return alive;
}

std::string CgroupValue(const std::string& device_name, const char* v2_file,
                        const char* v1_controller, const char* v1_file) {
  CgroupLayout layout = DetectCgroupLayout();
  std::string rel = OwnerCgroupPath() + "/" + device_name;
  std::string path = layout.version == CgroupVersion::kV2
                         ? layout.unified + "/" + rel + "/" + v2_file
                         : std::string(std::strcmp(v1_controller, "pids") == 0
                                           ? layout.pids
                                           : layout.memory) +
                               "/" + rel + "/" + v1_file;
  try {
    std::string text = ReadFile(path);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
  } catch (const std::exception&) {
    return "(unreadable)";
  }
}

// Subdirectories (cgroups) under the device's own cgroup directories.
int ChildCgroups(const std::string& device_name) {
  CgroupLayout layout = DetectCgroupLayout();
  std::string rel = "/" + OwnerCgroupPath() + "/" + device_name;
  std::vector<std::string> dirs;
  if (layout.version == CgroupVersion::kV2)
    dirs = {layout.unified + rel};
  else
    dirs = {layout.pids + rel, layout.memory + rel};
  int n = 0;
  for (const std::string& dir : dirs) {
    DIR* d = ::opendir(dir.c_str());
    while (dirent* e = d ? ::readdir(d) : nullptr)
      if (e->d_type == DT_DIR && e->d_name[0] != '.') ++n;
    if (d) ::closedir(d);
  }
  return n;
}

std::string ReadOrEmpty(const std::string& path);

// "<soft> <hard>" of the `name` line of /proc/<pid>/limits, e.g. for
// "Max data size"; "(unreadable)" if the process or line is gone.
std::string LimitValues(pid_t pid, const std::string& name) {
  std::string text = ReadOrEmpty("/proc/" + std::to_string(pid) + "/limits");
  size_t at = text.find("\n" + name + " ");
  if (at == std::string::npos) return "(unreadable)";
  std::istringstream in(text.substr(at + 1 + name.size()));
  std::string soft, hard;
  in >> soft >> hard;
  return soft + " " + hard;
}

// Without a cgroup the limits are rlimits: every process of the device must
// still have them, soft = hard, as set at launch.
void RlimitEscapes(const Device& device, std::vector<std::string>* escapes) {
  std::string data = std::to_string(kSelftestMemoryBytes);
  for (pid_t pid : device.Pids()) {
    std::string d = LimitValues(pid, "Max data size");
    if (d != "(unreadable)" && d != data + " " + data)
      escapes->push_back("RLIMIT_DATA of pid " + std::to_string(pid) +
                         " is now " + d);
    std::string p = LimitValues(pid, "Max processes");
    size_t space = p.find(' ');
    if (p != "(unreadable)" && (p.find("unlimited") != std::string::npos ||
                                p.substr(0, space) != p.substr(space + 1)))
      escapes->push_back("RLIMIT_NPROC of pid " + std::to_string(pid) +
                         " is now " + p);
  }
}

// What the host sees after the probe ran and before teardown; each line an
// escape.
std::vector<std::string> HostEscapes(const EscapeCase& c, const Fixture& f,
                                     Device& device,
                                     const std::string& device_name) {
  std::vector<std::string> escapes;
  if (c.name == "write_readonly") {
    for (const char* dir : kReadOnlyDirs) {
      std::string path = "/" + std::string(dir) + f.host().readonly_name;
      if (PathExists(path)) {
        escapes.push_back("host file " + path + " was created");
        ::unlink(path.c_str());
      }
    }
  }
  if (c.name == "connect_host_loopback")
    for (const std::string& s : f.Connections()) escapes.push_back(s);
  if (c.name == "reboot_syscall" && !device.Alive())
    escapes.push_back("the device went down");
  bool limits = c.name == "change_limits" || c.name == "cgroup_namespace";
  if (limits && !CgroupsUsable(DetectCgroupLayout())) {
    RlimitEscapes(device, &escapes);
  } else if (limits) {
    if (int n = ChildCgroups(device_name))
      escapes.push_back(std::to_string(n) + " cgroups appeared under the "
                        "device's");
    std::string pids = CgroupValue(device_name, "pids.max", "pids", "pids.max");
    std::string mem = CgroupValue(device_name, "memory.max", "memory",
                                  "memory.limit_in_bytes");
    if (pids != std::to_string(kSelftestPids))
      escapes.push_back("pids.max is now " + pids);
    if (mem != std::to_string(kSelftestMemoryBytes))
      escapes.push_back("the memory limit is now " + mem);
  }
  if (!f.HostProcessFine())
    escapes.push_back("the host process was killed, stopped or traced");
  return escapes;
}

// The probe's "observed: " lines and its verdict ("" if none).
std::string ParseLog(const std::string& text, std::vector<std::string>* lines) {
  std::string verdict;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (line.starts_with("observed: ")) lines->push_back(line.substr(10));
    if (line.starts_with("VERDICT ")) verdict = line.substr(8);
    start = end + 1;
  }
  return verdict;
}

std::string ReadOrEmpty(const std::string& path) {
  try {
    return ReadFile(path);
  } catch (const std::exception&) {
    return "";
  }
}

class CaseRun {
 public:
  CaseRun(const EscapeCase& c, const Fixture& f, const SelftestOptions& o)
      : case_(c), fixture_(f), options_(o),
        dir_(f.host().root + "/cases/" + c.name) {}
  EscapeResult Run();

 private:
  DeviceSpec Spec();
  std::vector<std::string> Argv() const;
  void WaitDone(Device& device, pid_t pid, const std::string& log);

  const EscapeCase& case_;
  const Fixture& fixture_;
  const SelftestOptions& options_;
  std::string dir_;
};

DeviceSpec CaseRun::Spec() {
  MakeDir(dir_, 0755);
  MakeDir(dir_ + "/home", 0755);
  MakeDir(dir_ + "/broker", 0755);
  CopyFile(options_.probe_path, dir_ + "/home/probe");
  ::chmod((dir_ + "/home/probe").c_str(), 0755);
  DeviceSpec spec;
  std::string name = case_.name;
  std::replace(name.begin(), name.end(), '_', '-');
  spec.name = "selftest-" + name + "-" + RandomToken(6);
  spec.home_dir = dir_ + "/home";
  spec.broker_dir = dir_ + "/broker";
  spec.devinit_path = fixture_.devinit();
  spec.memory_limit_bytes = kSelftestMemoryBytes;
  spec.pids_limit = kSelftestPids;
  spec.disk_limit_bytes = kSelftestDiskBytes;
  return spec;
}

std::vector<std::string> CaseRun::Argv() const {
  if (case_.kind == CaseKind::kReboot)
    return {"/bin/bash", "-c",
            "reboot; sleep 5; echo 'observed: reboot returned, the device "
            "is still up'; echo VERDICT escaped"};
  return {"/home/agent/probe", case_.name,
          ProbeArgument(case_.name, fixture_.host())};
}

void CaseRun::WaitDone(Device& device, pid_t pid, const std::string& log) {
  double deadline = MonotonicSeconds() + kCaseTimeout;
  while (MonotonicSeconds() < deadline) {
    if (ReadOrEmpty(log).find("VERDICT ") != std::string::npos) return;
    if (!ProcessAlive(pid) || !device.Alive()) return;
    SleepSeconds(0.01);
  }
}

EscapeResult CaseRun::Run() {
  EscapeResult r{case_.name, case_.attempt, case_.expected, {}, false, 0};
  double start = MonotonicSeconds();
  DeviceSpec spec = Spec();
  std::unique_ptr<CaseWatch> watch =
      MakeCaseWatch(case_.name, {fixture_.host(), spec, dir_});
  watch->BeforeStart();
  std::unique_ptr<Device> device = Device::Start(spec);
  std::string log = spec.broker_dir + "/probe.log";
  watch->BeforeProbe();
  pid_t pid = device->Spawn({Argv(), "", kLogInside});
  WaitDone(*device, pid, log);
  SleepSeconds(0.05);  // let double forks settle before pinning them
  std::vector<UniqueFd> pinned = PinProcesses(*device);
  std::vector<std::string> escapes =
      HostEscapes(case_, fixture_, *device, spec.name);
  watch->AfterProbe(&escapes);
  bool rebooted = false;
  if (case_.kind == CaseKind::kReboot) {
    double until = MonotonicSeconds() + 10;
    while (device->Alive() && MonotonicSeconds() < until) SleepSeconds(0.01);
    rebooted = device->Rebooted();
  }
  device->Teardown();
  if (int left = Survivors(pinned))
    escapes.push_back(std::to_string(left) + " processes outlived teardown");
  std::vector<std::string> notes;
  watch->AfterTeardown(&escapes, &notes);
  std::string verdict = ParseLog(ReadOrEmpty(log), &r.observed);
  r.observed.insert(r.observed.end(), notes.begin(), notes.end());
  if (case_.kind == CaseKind::kReboot) {
    r.observed.push_back(rebooted ? "the device ended; Device::Rebooted() is true"
                                  : "the device did not report a reboot");
    r.contained = rebooted && escapes.empty() && verdict.empty();
  } else {
    if (verdict.empty()) r.observed.push_back("the probe ended without a verdict");
    r.contained = verdict == "blocked" && escapes.empty();
  }
  if (case_.name == "survive_teardown" && escapes.empty())
    r.observed.push_back(std::to_string(pinned.size()) +
                         " processes in the device before teardown, none after");
  for (const std::string& e : escapes) r.observed.push_back("HOST: " + e);
  r.seconds = MonotonicSeconds() - start;
  return r;
}

std::vector<const EscapeCase*> Select(const std::vector<std::string>& names) {
  std::vector<const EscapeCase*> out;
  if (names.empty()) {
    for (const EscapeCase& c : EscapeCases()) out.push_back(&c);
    return out;
  }
  std::set<std::string> unknown(names.begin(), names.end());
  for (const std::vector<EscapeCase>* list : {&EscapeCases(), &ControlCases()})
    for (const EscapeCase& c : *list)
      if (unknown.erase(c.name)) out.push_back(&c);
  if (!unknown.empty()) {
    std::string known;
    for (const EscapeCase& c : EscapeCases()) known += " " + c.name;
    throw InputError("unknown --case \"" + *unknown.begin() +
                     "\"; the cases are:" + known);
  }
  return out;
}

}  // namespace

std::vector<EscapeResult> RunSelftest(
    const SelftestOptions& options,
    const std::function<void(const EscapeResult&)>& on_result) {
  std::vector<const EscapeCase*> cases = Select(options.cases);
  Fixture fixture(options);
  std::vector<EscapeResult> results;
  for (const EscapeCase* c : cases) {
    results.push_back(CaseRun(*c, fixture, options).Run());
    on_result(results.back());
  }
  return results;
}

}  // namespace redline
