#include "check/connections.h"

#include <map>
#include <set>
#include <string>

#include "device/proc.h"

namespace redline {
namespace {

// States of /proc/net/tcp, as the kernel numbers them.
constexpr char kEstablished[] = "01";
constexpr char kCloseWait[] = "08";
constexpr char kListen[] = "0A";

using Socket = TcpSocket;

// inode → socket, for both tables of the namespace `netns_pid` lives in.
std::map<uint64_t, Socket> ReadTables(pid_t netns_pid) {
  std::map<uint64_t, Socket> out;
  for (const TcpSocket& s : ReadTcpSockets(netns_pid))
    if (s.inode != 0) out[s.inode] = s;
  return out;
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
