#include "broker/broker_protocol.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/clock.h"
#include "base/error.h"
#include "base/unique_fd.h"

namespace redline {

static UniqueFd ConnectUnix(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) ThrowErrno("socket(AF_UNIX)");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    throw SystemError("connect(\"" + path + "\")", ENAMETOOLONG);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    ThrowErrno("connect(\"" + path + "\")", "is the broker running?");
  return fd;
}

// Waits until `fd` is ready for `events` or the deadline passes.
static void WaitReady(int fd, short events, double deadline) {
  for (;;) {
    double left = deadline - MonotonicSeconds();
    if (left <= 0) throw SystemError("poll(broker socket)", ETIMEDOUT);
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(left * 1000) + 1);
    if (n > 0) return;
    if (n < 0 && errno != EINTR) ThrowErrno("poll(broker socket)");
  }
}

BrokerConnection::BrokerConnection(const std::string& socket_path,
                                   double timeout_seconds)
    : fd_(ConnectUnix(socket_path)),
      deadline_(MonotonicSeconds() + timeout_seconds) {}

void BrokerConnection::SendLine(const std::string& line) {
  std::string out = line + "\n";
  size_t sent = 0;
  while (sent < out.size()) {
    WaitReady(fd_.get(), POLLOUT, deadline_);
    ssize_t n = ::send(fd_.get(), out.data() + sent, out.size() - sent,
                       MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ThrowErrno("send(broker socket)");
    sent += static_cast<size_t>(n);
  }
}

std::string BrokerConnection::ReadLine(size_t max_bytes) {
  char buf[65536];
  for (;;) {
    size_t newline = pending_.find('\n');
    if (newline != std::string::npos) {
      std::string line = pending_.substr(0, newline);
      pending_.erase(0, newline + 1);
      return line;
    }
    if (pending_.size() > max_bytes)
      throw SystemError("recv(broker socket)", EMSGSIZE, "the broker's answer is too long");
    WaitReady(fd_.get(), POLLIN, deadline_);
    ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ThrowErrno("recv(broker socket)");
    if (n == 0)
      throw SystemError("recv(broker socket)", ECONNRESET,
                        "the broker closed the connection before answering");
    pending_.append(buf, static_cast<size_t>(n));
  }
}

std::string BrokerRoundTrip(const std::string& socket_path,
                            const std::string& request_json,
                            double timeout_seconds) {
  BrokerConnection connection(socket_path, timeout_seconds);
  connection.SendLine(request_json);
  // An answer carries a whole completion; the relay's own bound applies.
  return connection.ReadLine(size_t{1} << 30);
}

}  // namespace redline
