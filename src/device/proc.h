// Reading processes and sockets of a device from the host's /proc, without
// trusting anything the device says about itself.
#ifndef REDLINE_DEVICE_PROC_H_
#define REDLINE_DEVICE_PROC_H_

#include <sys/types.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace redline {

struct ProcessInfo {
  pid_t pid = 0;            ///< host pid
  pid_t ppid = 0;           ///< host pid of the parent
  pid_t ns_pid = 0;         ///< pid inside the device (last NSpid field)
  std::string exe;          ///< readlink of /proc/pid/exe ("" if unreadable)
  std::string cmdline;      ///< argv joined by spaces
  uint64_t start_ticks = 0; ///< field 22 of /proc/pid/stat; with pid, unique
};

/// A TCP socket in LISTEN state in a network namespace.
struct Listener {
  int port = 0;
  std::string address;        ///< e.g. "127.0.0.1", "0.0.0.0", "::"
  uint64_t inode = 0;
  std::vector<pid_t> pids;    ///< host pids holding the socket
};

/// One TCP socket of a network namespace's /proc/net/tcp{,6}.
struct TcpSocket {
  std::string local_address;
  int local_port = 0;
  int remote_port = 0;
  std::string state;  ///< the kernel's hex state: "01" established, "0A" listen, …
  uint64_t inode = 0;
};

/// Every TCP socket (IPv4 and IPv6) of the network namespace `netns_pid`
/// lives in, or its listening ones: from netlink (device/tcp_diag.h), else
/// /proc/<pid>/net/tcp{,6} (bounded reads).
std::vector<TcpSocket> ReadTcpSockets(pid_t netns_pid, bool only_listening = false);
/// The same from /proc/<pid>/net/tcp{,6} only.
std::vector<TcpSocket> ReadTcpTables(pid_t netns_pid);
/// Inodes of the sockets `pid` holds (its /proc/<pid>/fd links).
std::set<uint64_t> SocketInodes(pid_t pid);

/// Info for each pid that still exists; vanished ones are skipped.
std::vector<ProcessInfo> ReadProcesses(const std::vector<pid_t>& pids);
/// Listening TCP sockets (IPv4 and IPv6) of the network namespace `ns_pid`
/// lives in, with the owners among `candidate_pids`.
std::vector<Listener> ReadListeners(pid_t netns_pid,
                                    const std::vector<pid_t>& candidate_pids);
/// True if the process exists and is not a zombie.
bool ProcessAlive(pid_t pid);
/// Field 22 of /proc/pid/stat (start time in clock ticks since boot); 0 if
/// the process does not exist. (pid, start ticks) names a process uniquely.
uint64_t ProcessStartTicks(pid_t pid);
/// Threads (tasks) whose real uid is `uid`: what RLIMIT_NPROC counts.
int UserThreadCount(uid_t uid);
/// Host pids of every process in the pid namespace /proc/<init>/ns/pid
/// names (identified by device and inode, read once by the caller), sorted.
std::vector<pid_t> PidsInPidNamespace(dev_t ns_dev, ino_t ns_ino);
/// Host pid whose innermost namespace pid is `ns_pid`, among `pids`; 0 if
/// none.
pid_t HostPidOf(pid_t ns_pid, const std::vector<pid_t>& pids);

}  // namespace redline

#endif  // REDLINE_DEVICE_PROC_H_
