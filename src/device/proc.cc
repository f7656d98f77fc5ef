#include "device/proc.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <sstream>

#include "base/unique_fd.h"
#include "device/tcp_diag.h"

namespace redline {
namespace {

std::string ProcPath(pid_t pid, const char* file) {
  return "/proc/" + std::to_string(pid) + "/" + file;
}

// /proc files report a size of 0, so read until end-of-file, or
// `max_bytes`: a device's process chooses its own command line (the kernel
// allows megabytes) and how many sockets its namespace lists. "" if absent.
std::string ReadProcFile(const std::string& path, size_t max_bytes = 16u << 20) {
  std::string out;
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return out;
  char buf[8192];
  while (out.size() < max_bytes) {
    ssize_t n = ::read(fd.get(), buf, std::min(sizeof buf, max_bytes - out.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return out;
    out.append(buf, size_t(n));
  }
  return out;
}

// Kept of each process's command line: what names its program and flags.
constexpr size_t kMaxCmdlineBytes = 64 * 1024;

std::string ReadLink(const std::string& path) {
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  return n < 0 ? "" : std::string(buf, size_t(n));
}

// Value of "Key:\t…" in /proc/pid/status; "" if missing.
std::string StatusField(const std::string& status, const std::string& key) {
  std::string prefix = key + ":";
  size_t pos = status.starts_with(prefix) ? 0 : status.find("\n" + prefix);
  if (pos == std::string::npos) return "";
  if (pos > 0) ++pos;
  size_t start = pos + prefix.size();
  size_t end = status.find('\n', start);
  return status.substr(start, end == std::string::npos ? end : end - start);
}

// Last number of "NSpid:\t4711\t12": the pid in the innermost namespace.
pid_t InnermostPid(const std::string& status) {
  std::istringstream in(StatusField(status, "NSpid"));
  pid_t pid = 0, last = 0;
  while (in >> pid) last = pid;
  return last;
}

// The fields after "pid (comm) ", which may itself hold spaces and ')'.
std::string StatTail(pid_t pid) {
  std::string stat = ReadProcFile(ProcPath(pid, "stat"));
  size_t paren = stat.rfind(')');
  return paren == std::string::npos ? "" : stat.substr(paren + 2);
}

std::string Cmdline(pid_t pid) {
  std::string raw = ReadProcFile(ProcPath(pid, "cmdline"), kMaxCmdlineBytes);
  while (!raw.empty() && raw.back() == '\0') raw.pop_back();
  std::replace(raw.begin(), raw.end(), '\0', ' ');
  return raw;
}

// Kernel format: each 32-bit word of the address printed as %08X of its
// in-memory (network-order) value, so copying the parsed words back into
// memory restores the address on any endianness.
std::string HexAddress(const std::string& hex) {
  uint32_t words[4] = {};
  size_t count = hex.size() / 8;
  if (count != 1 && count != 4) return "";
  for (size_t i = 0; i < count; ++i)
    words[i] = static_cast<uint32_t>(
        std::strtoul(hex.substr(i * 8, 8).c_str(), nullptr, 16));
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(count == 1 ? AF_INET : AF_INET6, words, text, sizeof text);
  return text;
}

// Appends the sockets of one /proc/net/tcp{,6} table.
void ParseTcpTable(const std::string& table, std::vector<TcpSocket>* out) {
  std::istringstream lines(table);
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) {
    std::istringstream in(line);
    std::string slot, local, remote, state, queues, timer, retr, uid, timeout;
    uint64_t inode = 0;
    in >> slot >> local >> remote >> state >> queues >> timer >> retr >> uid >>
        timeout >> inode;
    size_t colon = local.find(':'), remote_colon = remote.find(':');
    if (!in || colon == std::string::npos || remote_colon == std::string::npos) continue;
    TcpSocket s;
    s.local_address = HexAddress(local.substr(0, colon));
    s.local_port = static_cast<int>(std::strtol(local.c_str() + colon + 1, nullptr, 16));
    s.remote_port =
        static_cast<int>(std::strtol(remote.c_str() + remote_colon + 1, nullptr, 16));
    s.state = state;
    s.inode = inode;
    out->push_back(s);
  }
}

// socket inode → holders, from /proc/<pid>/fd/* links "socket:[N]".
std::map<uint64_t, std::vector<pid_t>> SocketOwners(
    const std::vector<pid_t>& pids) {
  std::map<uint64_t, std::vector<pid_t>> owners;
  for (pid_t pid : pids) {
    std::string dir = ProcPath(pid, "fd");
    DIR* d = ::opendir(dir.c_str());
    if (!d) continue;
    while (struct dirent* entry = ::readdir(d)) {
      if (entry->d_name[0] == '.') continue;
      std::string link = ReadLink(dir + "/" + entry->d_name);
      if (!link.starts_with("socket:[")) continue;
      uint64_t inode = std::strtoull(link.c_str() + 8, nullptr, 10);
      std::vector<pid_t>& holders = owners[inode];
      if (holders.empty() || holders.back() != pid) holders.push_back(pid);
    }
    ::closedir(d);
  }
  return owners;
}

}  // namespace

std::vector<ProcessInfo> ReadProcesses(const std::vector<pid_t>& pids) {
  std::vector<ProcessInfo> out;
  for (pid_t pid : pids) {
    std::string status = ReadProcFile(ProcPath(pid, "status"));
    if (status.empty()) continue;
    ProcessInfo info;
    info.pid = pid;
    info.ppid = static_cast<pid_t>(std::atoi(StatusField(status, "PPid").c_str()));
    info.ns_pid = InnermostPid(status);
    info.exe = ReadLink(ProcPath(pid, "exe"));
    info.cmdline = Cmdline(pid);
    info.start_ticks = ProcessStartTicks(pid);
    out.push_back(std::move(info));
  }
  return out;
}

std::vector<TcpSocket> ReadTcpTables(pid_t netns_pid) {
  std::vector<TcpSocket> sockets;
  ParseTcpTable(ReadProcFile(ProcPath(netns_pid, "net/tcp")), &sockets);
  ParseTcpTable(ReadProcFile(ProcPath(netns_pid, "net/tcp6")), &sockets);
  return sockets;
}

std::vector<TcpSocket> ReadTcpSockets(pid_t netns_pid, bool only_listening) {
  if (std::optional<std::vector<TcpSocket>> diag = DiagTcpSockets(netns_pid, only_listening))
    return std::move(*diag);
  return ReadTcpTables(netns_pid);
}

std::set<uint64_t> SocketInodes(pid_t pid) {
  std::set<uint64_t> inodes;
  for (const auto& [inode, holders] : SocketOwners({pid})) inodes.insert(inode);
  return inodes;
}

std::vector<Listener> ReadListeners(pid_t netns_pid,
                                    const std::vector<pid_t>& candidate_pids) {
  std::vector<Listener> listeners;
  for (const TcpSocket& s : ReadTcpSockets(netns_pid, /*only_listening=*/true))
    if (s.state == "0A")  // TCP_LISTEN
      listeners.push_back(Listener{s.local_port, s.local_address, s.inode, {}});
  std::map<uint64_t, std::vector<pid_t>> owners = SocketOwners(candidate_pids);
  for (Listener& l : listeners) {
    auto it = owners.find(l.inode);
    if (it != owners.end()) l.pids = it->second;
  }
  return listeners;
}

bool ProcessAlive(pid_t pid) {
  if (pid <= 0) return false;
  std::string tail = StatTail(pid);
  // Unreadable is not gone: a harness out of fds or memory for a moment
  // must not take a live process for a dead one (a start-up would fail as
  // "exited"). kill(0) asks the kernel instead.
  if (tail.empty()) return ::kill(pid, 0) == 0 || errno == EPERM;
  return tail[0] != 'Z' && tail[0] != 'X';
}

uint64_t ProcessStartTicks(pid_t pid) {
  if (pid <= 0) return 0;
  // The tail starts at field 3 (state); field 22 is 19 further on.
  std::istringstream in(StatTail(pid));
  std::string field;
  for (int i = 3; i < 22 && in >> field; ++i) {
  }
  uint64_t ticks = 0;
  in >> ticks;
  return ticks;
}

pid_t HostPidOf(pid_t ns_pid, const std::vector<pid_t>& pids) {
  for (pid_t pid : pids) {
    std::string status = ReadProcFile(ProcPath(pid, "status"));
    if (!status.empty() && InnermostPid(status) == ns_pid) return pid;
  }
  return 0;
}

namespace {

// Numeric entries of /proc.
std::vector<pid_t> AllPids() {
  std::vector<pid_t> pids;
  DIR* d = ::opendir("/proc");
  if (!d) return pids;
  while (struct dirent* e = ::readdir(d)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (pid > 0 && end && *end == '\0') pids.push_back(static_cast<pid_t>(pid));
  }
  ::closedir(d);
  std::sort(pids.begin(), pids.end());
  return pids;
}

// The first number after "<key>:" in a status file; -1 if absent.
long StatusNumber(const std::string& status, const std::string& key) {
  size_t at = status.find("\n" + key + ":");
  if (at == std::string::npos) return -1;
  return std::strtol(status.c_str() + at + key.size() + 2, nullptr, 10);
}

}  // namespace

int UserThreadCount(uid_t uid) {
  int threads = 0;
  for (pid_t pid : AllPids()) {
    std::string status = ReadProcFile(ProcPath(pid, "status"));
    if (StatusNumber(status, "Uid") == static_cast<long>(uid))
      threads += static_cast<int>(std::max(1L, StatusNumber(status, "Threads")));
  }
  return threads;
}

std::vector<pid_t> PidsInPidNamespace(dev_t ns_dev, ino_t ns_ino) {
  std::vector<pid_t> members;
  for (pid_t pid : AllPids()) {
    struct stat st;
    std::string ns = "/proc/" + std::to_string(pid) + "/ns/pid";
    if (::stat(ns.c_str(), &st) == 0 && st.st_dev == ns_dev &&
        st.st_ino == ns_ino)
      members.push_back(pid);
  }
  return members;
}

}  // namespace redline
