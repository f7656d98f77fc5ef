#include "check/connections.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

namespace redline {
namespace {

// States of /proc/net/tcp, as the kernel numbers them.
constexpr char kEstablished[] = "01";
constexpr char kCloseWait[] = "08";
constexpr char kListen[] = "0A";

struct Socket {
  int local_port = 0;
  int remote_port = 0;
  std::string state;
};

// Bounded: a device can hold many sockets, the checker reads a few tables.
std::string ReadBounded(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  text.resize(8u << 20);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  return text;
}

int HexPort(const std::string& address) {
  size_t colon = address.find(':');
  if (colon == std::string::npos) return 0;
  return static_cast<int>(std::strtol(address.c_str() + colon + 1, nullptr, 16));
}

// inode → socket, for both tables of the namespace `netns_pid` lives in.
std::map<uint64_t, Socket> ReadTables(pid_t netns_pid) {
  std::map<uint64_t, Socket> out;
  std::string net = "/proc/" + std::to_string(netns_pid) + "/net/";
  for (const char* table : {"tcp", "tcp6"}) {
    std::istringstream lines(ReadBounded(net + table));
    std::string line;
    std::getline(lines, line);  // header
    while (std::getline(lines, line)) {
      std::istringstream in(line);
      std::string slot, local, remote, state, queues, timer, retr, uid, timeout;
      uint64_t inode = 0;
      in >> slot >> local >> remote >> state >> queues >> timer >> retr >> uid >>
          timeout >> inode;
      if (in && inode != 0) out[inode] = Socket{HexPort(local), HexPort(remote), state};
    }
  }
  return out;
}

std::set<uint64_t> SocketInodes(pid_t pid) {
  std::set<uint64_t> inodes;
  std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = ::opendir(dir.c_str());
  if (!d) return inodes;
  int entries = 0;
  while (struct dirent* entry = ::readdir(d)) {
    if (++entries > 65536) break;  // RLIMIT_NOFILE bounds it anyway
    char link[128];
    std::string path = dir + "/" + entry->d_name;
    ssize_t n = ::readlink(path.c_str(), link, sizeof link - 1);
    if (n <= 0) continue;
    link[n] = '\0';
    if (std::string_view(link).starts_with("socket:["))
      inodes.insert(std::strtoull(link + 8, nullptr, 10));
  }
  ::closedir(d);
  return inodes;
}

bool Open(const Socket& s) { return s.state == kEstablished || s.state == kCloseWait; }

}  // namespace

std::vector<int> ConnectedServerPorts(pid_t netns_pid, pid_t client_pid, int own_port) {
  std::map<uint64_t, Socket> table = ReadTables(netns_pid);
  std::set<int> ports;
  for (uint64_t inode : SocketInodes(client_pid)) {
    auto it = table.find(inode);
    // Its own side of its listening port is a client talking to it.
    if (it != table.end() && Open(it->second) && it->second.local_port != own_port)
      ports.insert(it->second.remote_port);
  }
  return {ports.begin(), ports.end()};
}

std::vector<pid_t> ClientsOf(pid_t netns_pid, pid_t server_pid, const std::vector<pid_t>& pids) {
  std::map<uint64_t, Socket> table = ReadTables(netns_pid);
  std::set<int> listening;
  std::set<std::pair<int, int>> accepted;  // (server port, client port)
  std::set<uint64_t> server_inodes = SocketInodes(server_pid);
  for (uint64_t inode : server_inodes) {
    auto it = table.find(inode);
    if (it != table.end() && it->second.state == kListen) listening.insert(it->second.local_port);
  }
  for (uint64_t inode : server_inodes) {
    auto it = table.find(inode);
    if (it != table.end() && it->second.state == kEstablished &&
        listening.count(it->second.local_port))
      accepted.insert({it->second.local_port, it->second.remote_port});
  }
  std::vector<pid_t> clients;
  if (accepted.empty()) return clients;
  for (pid_t pid : pids) {
    if (pid == server_pid) continue;
    for (uint64_t inode : SocketInodes(pid)) {
      auto it = table.find(inode);
      if (it != table.end() && it->second.state == kEstablished &&
          accepted.count({it->second.remote_port, it->second.local_port})) {
        clients.push_back(pid);
        break;
      }
    }
  }
  return clients;
}

}  // namespace redline
