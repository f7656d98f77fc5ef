// redline-escape-probe: run inside a device by `redline selftest`, one case
// per process. Each case tries one way out of the device and prints what
// happened, one "observed: …" line per attempt, then exactly one
// "VERDICT blocked" or "VERDICT escaped" line. It never needs to be root:
// it tries what an unprivileged model could, and what the device's user
// could as root inside its namespaces.
//
// Usage: redline-escape-probe <case> [argument]
// The runner checks the host side too; the probe's word alone never makes a
// case pass.
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "selftest/home_bomb_probes.h"
#include "selftest/backend_probes.h"
#include "selftest/kernel_probes.h"
#include "selftest/probe_report.h"

namespace {

using redline::probe::Attempt;
using redline::probe::Err;
using redline::probe::Observe;

// ---- cases ---------------------------------------------------------------

void ReadHostFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  Attempt("open(\"" + path + "\") for reading", fd >= 0);
  // The same through every /proc/<pid>/root the probe can see.
  DIR* d = ::opendir("/proc");
  while (dirent* e = d ? ::readdir(d) : nullptr) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    std::string via = std::string("/proc/") + e->d_name + "/root" + path;
    if (::open(via.c_str(), O_RDONLY) >= 0) Attempt("open(\"" + via + "\")", true);
  }
  if (d) ::closedir(d);
}

void WriteReadOnly(const std::string& name) {
  // The host directories bound into the device (/, /run and /tmp are the
  // device's own tmpfs, writable like on any machine).
  for (std::string dir : {"/usr", "/usr/lib", "/etc", "/bin", "/lib64"}) {
    std::string path = dir + "/" + name;
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    Attempt("create \"" + path + "\"", fd >= 0);
  }
  Attempt("open /run/sysinit/init (init's binary) for writing",
          ::open("/run/sysinit/init", O_WRONLY) >= 0);
  Attempt("open /usr/bin/bash for writing",
          ::open("/usr/bin/bash", O_WRONLY) >= 0);
  Attempt("write /proc/sys/kernel/core_pattern",
          ::open("/proc/sys/kernel/core_pattern", O_WRONLY) >= 0);
  Attempt("write /proc/sysrq-trigger",
          ::open("/proc/sysrq-trigger", O_WRONLY) >= 0);
  Attempt("mknod a block device",
          ::mknod("/tmp/disk", S_IFBLK | 0600, makedev(8, 0)) == 0);
}

bool Connect(int family, const std::string& ip, int port, int type) {
  int fd = ::socket(family, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  struct timeval tv = {2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int r;
  if (family == AF_INET) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
    r = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  } else {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET6, ip.c_str(), &a.sin6_addr);
    r = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  if (r == 0 && type == SOCK_DGRAM) r = ::send(fd, "x", 1, 0) == 1 ? 0 : -1;
  int err = errno;
  ::close(fd);
  errno = err;
  return r == 0;
}

void ConnectExternal() {
  for (const char* ip : {"1.1.1.1", "8.8.8.8", "10.0.2.2", "192.168.1.1"})
    Attempt(std::string("TCP connect ") + ip + ":53",
            Connect(AF_INET, ip, 53, SOCK_STREAM));
  Attempt("UDP send 8.8.8.8:53", Connect(AF_INET, "8.8.8.8", 53, SOCK_DGRAM));
  Attempt("TCP connect [2606:4700:4700::1111]:53",
          Connect(AF_INET6, "2606:4700:4700::1111", 53, SOCK_STREAM));
}

void ConnectHostLoopback(const std::string& port_text) {
  int port = std::atoi(port_text.c_str());
  Attempt("TCP connect 127.0.0.1:" + port_text,
          Connect(AF_INET, "127.0.0.1", port, SOCK_STREAM));
  Attempt("TCP connect [::1]:" + port_text,
          Connect(AF_INET6, "::1", port, SOCK_STREAM));
  // The host's abstract unix sockets (e.g. the X server's) are per netns.
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::string name = "rl-selftest-" + port_text;
  std::memcpy(a.sun_path + 1, name.data(), name.size());
  Attempt("connect abstract unix socket @" + name,
          ::connect(fd, reinterpret_cast<sockaddr*>(&a),
                    sizeof(sa_family_t) + 1 + name.size()) == 0);
}

void SignalHost(const std::string& pid_text) {
  pid_t pid = std::atoi(pid_text.c_str());
  // Host pids mean nothing here; the runner checks the host process lives.
  Attempt("kill(" + pid_text + ", SIGKILL) (a host process's pid)",
          ::kill(pid, SIGKILL) == 0);
  Attempt("kill(1, SIGKILL) (the device's init)",
          ::kill(1, SIGKILL) == 0 && ::kill(1, 0) != 0);
  int visible = 0;
  for (pid_t p = 2; p < 4194304 && p < 70000; ++p)
    if (::kill(p, 0) == 0 || errno == EPERM) ++visible;
  Observe("processes visible by pid: " + std::to_string(visible), false);
}

void PtraceOutside(const std::string& pid_text) {
  pid_t pid = std::atoi(pid_text.c_str());
  Attempt("ptrace(PTRACE_SEIZE, " + pid_text + ") (a host process)",
          ::ptrace(PTRACE_SEIZE, pid, nullptr, nullptr) == 0);
  Attempt("ptrace(PTRACE_ATTACH, 1) (the device's init)",
          ::ptrace(PTRACE_ATTACH, 1, nullptr, nullptr) == 0);
  Attempt("process_vm_readv of init",
          ::open("/proc/1/mem", O_RDONLY) >= 0);
  Attempt("open /proc/1/fd/3 (init's control channel)",
          ::open("/proc/1/fd/3", O_RDWR) >= 0);
}

void MountUnshareSetns() {
  Attempt("unshare(CLONE_NEWUSER)", ::unshare(CLONE_NEWUSER) == 0);
  Attempt("unshare(CLONE_NEWNS)", ::unshare(CLONE_NEWNS) == 0);
  Attempt("mount(tmpfs, /tmp)",
          ::mount("none", "/tmp", "tmpfs", 0, nullptr) == 0);
  Attempt("mount(proc)", ::mount("proc", "/tmp", "proc", 0, nullptr) == 0);
  Attempt("umount(/usr)", ::umount2("/usr", MNT_DETACH) == 0);
  Attempt("remount /usr read-write",
          ::mount(nullptr, "/usr", nullptr, MS_REMOUNT | MS_BIND, nullptr) == 0 &&
              ::access("/usr", W_OK) == 0);
  int ns = ::open("/proc/1/ns/mnt", O_RDONLY);
  Attempt("setns(/proc/1/ns/mnt)", ns >= 0 && ::setns(ns, 0) == 0);
  Attempt("chroot(\"/tmp\")", ::chroot("/tmp") == 0);
  Attempt("open_by_handle_at(/)",
          ::syscall(SYS_open_by_handle_at, AF_UNSPEC, nullptr, 0) == 0);
  Attempt("setuid(0)", ::setuid(0) == 0);
  Attempt("load a kernel module", ::syscall(SYS_init_module, nullptr, 0, "") == 0);
}

void RebootSyscall() {
  Attempt("reboot(RB_AUTOBOOT)", ::reboot(RB_AUTOBOOT) == 0);
  Attempt("reboot(RB_POWER_OFF)", ::reboot(RB_POWER_OFF) == 0);
  Attempt("reboot(RB_KEXEC)", ::syscall(SYS_reboot, 0xfee1dead, 672274793,
                                        0x45584543, nullptr) == 0);
  Attempt("write b to /proc/sysrq-trigger",
          ::open("/proc/sysrq-trigger", O_WRONLY) >= 0);
}

void ChangeLimits() {
  struct rlimit r;
  ::getrlimit(RLIMIT_NPROC, &r);
  struct rlimit more = {RLIM_INFINITY, RLIM_INFINITY};
  Attempt("raise RLIMIT_NPROC hard limit", r.rlim_max != RLIM_INFINITY &&
                                               ::setrlimit(RLIMIT_NPROC, &more) == 0);
  for (const char* f : {"/sys/fs/cgroup/cgroup.procs", "/sys/fs/cgroup/pids.max",
                        "/sys/fs/cgroup/memory.max",
                        "/sys/fs/cgroup/pids/cgroup.procs"}) {
    int fd = ::open(f, O_WRONLY);
    bool ok = fd >= 0 && ::write(fd, "max", 3) == 3;
    Attempt(std::string("write ") + f, ok);
  }
  Attempt("mount cgroup2", ::mount("none", "/tmp", "cgroup2", 0, nullptr) == 0);
  Attempt("setpriority -20", ::setpriority(PRIO_PROCESS, 0, -20) == 0);
}

void ForkBomb(const std::string& limit_text) {
  int limit = std::atoi(limit_text.c_str());
  int err = 0;
  std::vector<pid_t> children;
  for (int i = 0; i < 100000; ++i) {
    pid_t p = ::fork();
    if (p == 0) {
      ::pause();
      ::_exit(0);
    }
    if (p < 0) {
      err = errno;
      break;
    }
    children.push_back(p);
  }
  int made = static_cast<int>(children.size());
  Observe("forked " + std::to_string(made) + " processes, then: " +
              (err ? Err(err) : "no failure"),
          made >= limit);
  for (pid_t p : children) ::kill(p, SIGKILL);
  for (pid_t p : children) ::waitpid(p, nullptr, 0);
}

void MemoryBomb(const std::string& limit_text) {
  long long limit = std::atoll(limit_text.c_str());
  pid_t child = ::fork();
  if (child == 0) {
    long long touched = 0;
    while (touched < 4 * limit) {
      char* p = static_cast<char*>(std::malloc(1 << 20));
      if (!p) _exit(3);
      std::memset(p, 1, 1 << 20);
      touched += 1 << 20;
    }
    _exit(0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  bool killed = WIFSIGNALED(status);
  Observe(std::string("allocating and touching 4x the memory limit ended ") +
              (killed ? "by signal " + std::to_string(WTERMSIG(status))
                      : "with exit " + std::to_string(WEXITSTATUS(status))),
          !killed && WEXITSTATUS(status) == 0);
}

long long Fill(const std::string& path, long long cap) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return 0;
  static char block[1 << 16];
  std::memset(block, 7, sizeof block);
  long long written = 0;
  while (written < cap) {
    ssize_t n = ::write(fd, block, sizeof block);
    if (n <= 0) break;
    written += n;
  }
  ::close(fd);
  return written;
}

void FillDisk(const std::string& limit_text) {
  long long limit = std::atoll(limit_text.c_str());
  int err = 0;
  // Unprivileged devices limit file size (RLIMIT_FSIZE): keep writing past
  // the signal, as a determined writer would, and see EFBIG.
  ::signal(SIGXFSZ, SIG_IGN);
  long long home = Fill("/home/agent/fill", 4 * limit);
  err = errno;
  Observe("wrote " + std::to_string(home) + " bytes to /home/agent, then: " +
              Err(err),
          home > limit);
  ::unlink("/home/agent/fill");
}

// Tries every classic way to outlive the device; the runner checks that
// none of them did.
void SurviveTeardown() {
  const char* scripts[] = {
      "setsid sleep 600 &",
      "( ( sleep 600 & ) & )",
      "nohup sleep 600 >/dev/null 2>&1 &",
      "sleep 600 & disown",
      "exec -a kworker/0:1 sleep 600 &",
  };
  for (const char* s : scripts) {
    int r = std::system((std::string("/bin/bash -c '") + s + "'").c_str());
    Observe(std::string("started `") + s + "`: " + std::to_string(r), false);
  }
  pid_t p = ::fork();
  if (p == 0) {  // a daemon: double fork, new session, ignore SIGHUP/SIGTERM
    ::setsid();
    if (::fork() != 0) _exit(0);
    ::signal(SIGHUP, SIG_IGN);
    ::signal(SIGTERM, SIG_IGN);
    ::chdir("/");
    ::sleep(600);
    _exit(0);
  }
  ::waitpid(p, nullptr, 0);
  Observe("started a double-forked daemon ignoring SIGHUP and SIGTERM", false);
}

bool Contains(const std::string& path, const std::string& needle,
              size_t max = 1 << 20) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK);
  if (fd < 0) return false;
  std::string data(max, '\0');
  ssize_t n = ::read(fd, data.data(), max);
  ::close(fd);
  return n > 0 && std::string_view(data.data(), size_t(n)).find(needle) !=
                      std::string_view::npos;
}

void ScanTree(const std::string& dir, const std::string& needle, int depth,
              int* files) {
  if (depth > 6) return;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string path = (dir == "/" ? "" : dir) + "/" + name;
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      ScanTree(path, needle, depth + 1, files);
    } else if (S_ISREG(st.st_mode) && st.st_size < (1 << 20)) {
      ++*files;
      if (Contains(path, needle)) Observe("key found in " + path, true);
    }
  }
  ::closedir(d);
}

void ReadApiKey(const std::string& prefix_and_path) {
  size_t colon = prefix_and_path.find(':');
  // Reversed on the command line, so our own cmdline does not hold it.
  std::string reversed = prefix_and_path.substr(0, colon);
  std::string prefix(reversed.rbegin(), reversed.rend());
  std::string key_file = prefix_and_path.substr(colon + 1);
  Observe(std::string("own environment: ") +
              (Contains("/proc/self/environ", prefix) ? "holds the key"
                                                      : "no key"),
          Contains("/proc/self/environ", prefix));
  int procs = 0;
  DIR* d = ::opendir("/proc");
  while (dirent* e = d ? ::readdir(d) : nullptr) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    ++procs;
    for (const char* f : {"environ", "cmdline"}) {
      std::string path = std::string("/proc/") + e->d_name + "/" + f;
      if (Contains(path, prefix)) Observe("key found in " + path, true);
    }
  }
  if (d) ::closedir(d);
  Observe("scanned environ and cmdline of " + std::to_string(procs) +
              " processes",
          false);
  Attempt("open the harness's key file " + key_file,
          ::open(key_file.c_str(), O_RDONLY) >= 0);
  int files = 0;
  for (const char* dir : {"/home", "/tmp", "/run", "/etc", "/root"})
    ScanTree(dir, prefix, 0, &files);
  Observe("scanned " + std::to_string(files) + " files under /home /tmp "
          "/run /etc /root",
          false);
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::function<void(const std::string&)>> cases = {
      {"read_host_file", ReadHostFile},
      {"control_readable_file", ReadHostFile},
      {"write_readonly", WriteReadOnly},
      {"connect_external", [](const std::string&) { ConnectExternal(); }},
      {"connect_host_loopback", ConnectHostLoopback},
      {"signal_host", SignalHost},
      {"ptrace_outside", PtraceOutside},
      {"mount_unshare_setns", [](const std::string&) { MountUnshareSetns(); }},
      {"reboot_syscall", [](const std::string&) { RebootSyscall(); }},
      {"change_limits", [](const std::string&) { ChangeLimits(); }},
      {"fork_bomb", ForkBomb},
      {"memory_bomb", MemoryBomb},
      {"fill_disk", FillDisk},
      {"survive_teardown", [](const std::string&) { SurviveTeardown(); }},
      {"read_api_key", ReadApiKey},
  };
  redline::probe::AddKernelProbes(&cases);
  redline::probe::AddHomeBombProbes(&cases);
  redline::probe::AddBackendProbes(&cases);
  if (argc < 2 || !cases.count(argv[1])) {
    std::fprintf(stderr, "usage: redline-escape-probe <case> [argument]\n");
    return 2;
  }
  ::setvbuf(stdout, nullptr, _IOLBF, 0);
  cases[argv[1]](argc > 2 ? argv[2] : "");
  std::printf("VERDICT %s\n", redline::probe::Escaped() ? "escaped" : "blocked");
  return 0;
}
