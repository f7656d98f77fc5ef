#include "device/tcp_diag.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "base/unique_fd.h"
#include "device/netns_socket.h"

namespace redline {
namespace {

constexpr uint32_t kAllStates = (1u << 12) - 1;  // TCP_ESTABLISHED … TCP_NEW_SYN_RECV
constexpr uint32_t kListening = 1u << TCP_LISTEN;

TcpSocket FromMessage(const inet_diag_msg& m) {
  TcpSocket s;
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(m.idiag_family, m.id.idiag_src, text, sizeof text);
  s.local_address = text;
  s.local_port = ntohs(m.id.idiag_sport);
  s.remote_port = ntohs(m.id.idiag_dport);
  char state[8];
  std::snprintf(state, sizeof state, "%02X", m.idiag_state);  // as /proc writes it
  s.state = state;
  s.inode = m.idiag_inode;
  return s;
}

// One dump of `family`; false if the kernel refused it.
bool Dump(int fd, uint8_t family, uint32_t states, std::vector<TcpSocket>* out) {
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } ask = {};
  ask.header.nlmsg_len = sizeof ask;
  ask.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  ask.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  ask.request.sdiag_family = family;
  ask.request.sdiag_protocol = IPPROTO_TCP;
  ask.request.idiag_states = states;
  if (::send(fd, &ask, sizeof ask, 0) != static_cast<ssize_t>(sizeof ask)) return false;
  alignas(nlmsghdr) char buf[32768];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, static_cast<size_t>(n));
         h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type == NLMSG_DONE) return true;
      if (h->nlmsg_type == NLMSG_ERROR) return false;
      if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
          h->nlmsg_len < NLMSG_LENGTH(sizeof(inet_diag_msg)))
        continue;
      // A namespace with more sockets than this is flooding its tables: what
      // was read is enough to judge, and the harness stays bounded.
      if (out->size() >= kMaxDiagSockets) return true;
      out->push_back(FromMessage(*static_cast<inet_diag_msg*>(NLMSG_DATA(h))));
    }
  }
}

}  // namespace

std::optional<std::vector<TcpSocket>> DiagTcpSockets(pid_t netns_pid, bool only_listening) {
  std::string ns = "/proc/" + std::to_string(netns_pid) + "/ns/net";
  UniqueFd netns(::open(ns.c_str(), O_RDONLY | O_CLOEXEC));
  if (!netns.valid()) return std::nullopt;
  int error = 0;
  UniqueFd fd = SocketInNetns(netns.get(), AF_NETLINK, SOCK_DGRAM, NETLINK_SOCK_DIAG, &error);
  if (!fd.valid()) return std::nullopt;
  timeval timeout{2, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::vector<TcpSocket> sockets;
  uint32_t states = only_listening ? kListening : kAllStates;
  for (uint8_t family : {AF_INET, AF_INET6})
    if (!Dump(fd.get(), family, states, &sockets)) return std::nullopt;
  return sockets;
}

}  // namespace redline
