#include "device/control_channel.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace redline {

bool EncodeFields(const std::vector<std::string>& fields, std::string* out) {
  if (fields.empty() || fields.front().empty()) return false;
  out->clear();
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].find('\0') != std::string::npos) return false;
    if (i > 0) out->push_back('\0');
    out->append(fields[i]);
    if (out->size() > kMaxControlMessage) return false;
  }
  return true;
}

std::vector<std::string> DecodeFields(std::string_view message) {
  std::vector<std::string> fields;
  if (message.empty()) return fields;
  size_t start = 0;
  while (true) {
    size_t end = message.find('\0', start);
    if (end == std::string_view::npos) {
      fields.emplace_back(message.substr(start));
      return fields;
    }
    fields.emplace_back(message.substr(start, end - start));
    start = end + 1;
  }
}

int SendControlMessage(int fd, const std::string& message) {
  while (true) {
    ssize_t n = ::send(fd, message.data(), message.size(), MSG_NOSIGNAL);
    if (n >= 0) return 0;
    if (errno != EINTR) return errno;
  }
}

int SendControlFields(int fd, const std::vector<std::string>& fields) {
  std::string message;
  if (!EncodeFields(fields, &message)) return EINVAL;
  return SendControlMessage(fd, message);
}

int ReceiveControlMessage(int fd, ControlMessage* out) {
  // One byte more than the maximum, so an oversized message shows as
  // MSG_TRUNC instead of being silently cut.
  std::string buffer(kMaxControlMessage + 1, '\0');
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(struct ucred))];
  struct iovec iov = {buffer.data(), buffer.size()};
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return errno;
  // Every message has a non-empty verb, so zero bytes means the peer closed.
  if (n == 0) return EPIPE;
  if (msg.msg_flags & MSG_TRUNC) return EMSGSIZE;
  out->sender = 0;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_CREDENTIALS) continue;
    struct ucred cred;
    std::memcpy(&cred, CMSG_DATA(c), sizeof cred);
    out->sender = cred.pid;
  }
  out->fields = DecodeFields(std::string_view(buffer.data(), size_t(n)));
  return 0;
}

}  // namespace redline
