#include "selftest/kernel_probes.h"

#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/userfaultfd.h>
#include <sched.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace redline::probe {
namespace {

long Keyctl(int op, unsigned long a = 0, unsigned long b = 0,
            unsigned long c = 0) {
  return ::syscall(SYS_keyctl, op, a, b, c, 0);
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// `description` names the key the runner put in its own session keyring.
void Keyrings(const std::string& description) {
  Attempt("keyctl(GET_KEYRING_ID, session keyring)",
          Keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING) >= 0);
  Attempt("request_key(\"user\", \"" + description + "\")",
          ::syscall(SYS_request_key, "user", description.c_str(), nullptr,
                    0) >= 0);
  Attempt("keyctl(SEARCH, session keyring, \"" + description + "\")",
          Keyctl(KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING,
                 reinterpret_cast<unsigned long>("user"),
                 reinterpret_cast<unsigned long>(description.c_str())) >= 0);
  Attempt("add_key(\"user\", user keyring)",
          ::syscall(SYS_add_key, "user", "rl-probe", "x", 1,
                    KEY_SPEC_USER_KEYRING) >= 0);
  Attempt("add_key(\"user\", session keyring)",
          ::syscall(SYS_add_key, "user", "rl-probe", "x", 1,
                    KEY_SPEC_SESSION_KEYRING) >= 0);
  Attempt("keyctl(JOIN_SESSION_KEYRING)",
          Keyctl(KEYCTL_JOIN_SESSION_KEYRING) >= 0);
  // /proc/keys lists every key the caller possesses or may view.
  bool listed = Slurp("/proc/keys").find(description) != std::string::npos;
  Observe(std::string("/proc/keys ") +
              (listed ? "lists the harness's key" : "does not list the "
                                                    "harness's key"),
          listed);
}

void IoUring(const std::string&) {
  char params[120] = {};  // struct io_uring_params
  AttemptErrno("io_uring_setup(8)",
               ::syscall(SYS_io_uring_setup, 8, params) >= 0, ENOSYS);
  // With a bad fd these fail anyway (EBADF); ENOSYS shows the call is gone.
  AttemptErrno("io_uring_enter", ::syscall(SYS_io_uring_enter, -1, 1, 0, 0,
                                           nullptr, 0) >= 0, ENOSYS);
  AttemptErrno("io_uring_register", ::syscall(SYS_io_uring_register, -1, 0,
                                              nullptr, 0) >= 0, ENOSYS);
}

void Bpf(const std::string&) {
  union bpf_attr map;
  std::memset(&map, 0, sizeof map);
  map.map_type = BPF_MAP_TYPE_ARRAY;
  map.key_size = 4;
  map.value_size = 8;
  map.max_entries = 1;
  Attempt("bpf(BPF_MAP_CREATE, array)",
          ::syscall(SYS_bpf, BPF_MAP_CREATE, &map, sizeof map) >= 0);
  struct bpf_insn insns[2] = {};
  insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;  // r0 = 0
  insns[1].code = BPF_JMP | BPF_EXIT;
  char license[] = "GPL";
  union bpf_attr prog;
  std::memset(&prog, 0, sizeof prog);
  prog.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
  prog.insns = reinterpret_cast<uint64_t>(insns);
  prog.insn_cnt = 2;
  prog.license = reinterpret_cast<uint64_t>(license);
  Attempt("bpf(BPF_PROG_LOAD, socket filter)",
          ::syscall(SYS_bpf, BPF_PROG_LOAD, &prog, sizeof prog) >= 0);
}

long PerfOpen(uint32_t type, uint64_t config, pid_t pid, int cpu) {
  struct perf_event_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.size = sizeof attr;
  attr.type = type;
  attr.config = config;
  attr.exclude_kernel = 1;
  attr.exclude_hv = 1;
  return ::syscall(SYS_perf_event_open, &attr, pid, cpu, -1, 0);
}

void PerfEvents(const std::string&) {
  Attempt("perf_event_open(software cpu-clock, this process, user only)",
          PerfOpen(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, 0, -1) >= 0);
  Attempt("perf_event_open(hardware cycles, this process)",
          PerfOpen(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, 0, -1) >= 0);
  Attempt("perf_event_open(cpu-clock, every process on CPU 0)",
          PerfOpen(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, -1, 0) >= 0);
}

void Userfaultfd(const std::string&) {
  Attempt("userfaultfd(UFFD_USER_MODE_ONLY)",
          ::syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY) >= 0);
  Attempt("userfaultfd()", ::syscall(SYS_userfaultfd, O_CLOEXEC) >= 0);
  Attempt("open /dev/userfaultfd", ::open("/dev/userfaultfd", O_RDWR) >= 0);
}

void SetClock(const std::string&) {
  struct timespec now;
  ::clock_gettime(CLOCK_REALTIME, &now);
  struct timespec later = now;
  later.tv_sec += 3600;
  Attempt("clock_settime(CLOCK_REALTIME, +1 h)",
          ::clock_settime(CLOCK_REALTIME, &later) == 0);
  struct timeval earlier = {now.tv_sec - 3600, 0};
  Attempt("settimeofday(-1 h)", ::settimeofday(&earlier, nullptr) == 0);
  struct timex step = {};
  step.modes = ADJ_SETOFFSET;
  step.time.tv_sec = 86400;
  Attempt("clock_adjtime(CLOCK_REALTIME, ADJ_SETOFFSET +1 day)",
          ::clock_adjtime(CLOCK_REALTIME, &step) >= 0);
  struct timex freq = {};
  freq.modes = ADJ_FREQUENCY;
  freq.freq = 500 << 16;  // +500 ppm
  Attempt("adjtimex(ADJ_FREQUENCY +500 ppm)", ::adjtimex(&freq) >= 0);
  Attempt("open /dev/rtc0 (the hardware clock)",
          ::open("/dev/rtc0", O_RDWR) >= 0);
}

void TimeNamespace(const std::string&) {
  Attempt("unshare(CLONE_NEWTIME)", ::unshare(CLONE_NEWTIME) == 0);
  int fd = ::open("/proc/self/timens_offsets", O_WRONLY);
  bool wrote = fd >= 0 && ::write(fd, "monotonic 86400 0", 17) == 17;
  Attempt("write /proc/self/timens_offsets (monotonic +1 day)", wrote);
  int ns = ::open("/proc/1/ns/time", O_RDONLY);
  Attempt("setns(/proc/1/ns/time)",
          ns >= 0 && ::setns(ns, CLONE_NEWTIME) == 0);
}

void CgroupNamespace(const std::string&) {
  Attempt("unshare(CLONE_NEWCGROUP)", ::unshare(CLONE_NEWCGROUP) == 0);
  int ns = ::open("/proc/1/ns/cgroup", O_RDONLY);
  Attempt("setns(/proc/1/ns/cgroup)",
          ns >= 0 && ::setns(ns, CLONE_NEWCGROUP) == 0);
  // The device's own cgroup namespace shows its cgroup as "/", so the
  // host's hierarchy (and the harness's cgroup names) stay hidden.
  std::string mine = Slurp("/proc/self/cgroup");
  bool leaks = mine.find("redline") != std::string::npos;
  std::string first = mine.substr(0, mine.find('\n'));
  Observe("/proc/self/cgroup: \"" + first + "\"" +
              (leaks ? " names the harness's cgroups" : ""),
          leaks);
  Attempt("mkdir /sys/fs/cgroup/escape", ::mkdir("/sys/fs/cgroup/escape",
                                                 0755) == 0);
}

// `marker` is what the runner looks for in the host's kernel log.
void KernelLog(const std::string& marker) {
  int fd = ::open("/dev/kmsg", O_WRONLY);
  bool wrote = fd >= 0 && ::write(fd, marker.data(), marker.size()) > 0;
  Attempt("write \"" + marker + "\" to /dev/kmsg", wrote);
  Attempt("mknod /tmp/kmsg (char 1:11)",
          ::mknod("/tmp/kmsg", S_IFCHR | 0600, makedev(1, 11)) == 0);
  Attempt("open /proc/kmsg", ::open("/proc/kmsg", O_RDONLY) >= 0);
  Attempt("syslog(SYSLOG_ACTION_CLEAR)", ::klogctl(5, nullptr, 0) >= 0);
  Attempt("syslog(SYSLOG_ACTION_CONSOLE_LEVEL, 8)",
          ::klogctl(8, nullptr, 8) >= 0);
  Attempt("open /dev/console for writing",
          ::open("/dev/console", O_WRONLY | O_NOCTTY) >= 0);
}

}  // namespace

void AddKernelProbes(ProbeCases* cases) {
  (*cases)["keyctl_keyrings"] = Keyrings;
  (*cases)["io_uring"] = IoUring;
  (*cases)["bpf"] = Bpf;
  (*cases)["perf_event_open"] = PerfEvents;
  (*cases)["userfaultfd"] = Userfaultfd;
  (*cases)["set_clock"] = SetClock;
  (*cases)["time_namespace"] = TimeNamespace;
  (*cases)["cgroup_namespace"] = CgroupNamespace;
  (*cases)["write_kmsg"] = KernelLog;
}

}  // namespace redline::probe
