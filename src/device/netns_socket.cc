#include "device/netns_socket.h"

#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <thread>

namespace redline {
namespace {

// Unprivileged, setns(CLONE_NEWNET) also needs CAP_SYS_ADMIN in our own
// user namespace. The device's user namespace is ours (we created it), so a
// forked, single-threaded helper joins it first (gaining every capability
// there), then the network namespace, makes the socket and passes it back.
// Between fork and _exit the helper makes only system calls.
int SocketViaUserns(int netns_fd, int family, int type, int protocol, int* error) {
  int userns = ::ioctl(netns_fd, NS_GET_USERNS);
  if (userns < 0) {
    *error = errno;
    return -1;
  }
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
    *error = errno;
    ::close(userns);
    return -1;
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    int err = 0;
    int fd = -1;
    if (::setns(userns, CLONE_NEWUSER) < 0 || ::setns(netns_fd, CLONE_NEWNET) < 0)
      err = errno;
    else if ((fd = ::socket(family, type | SOCK_CLOEXEC, protocol)) < 0)
      err = errno;
    char control[CMSG_SPACE(sizeof(int))] = {};
    struct iovec iov = {&err, sizeof err};
    struct msghdr msg = {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (fd >= 0) {
      msg.msg_control = control;
      msg.msg_controllen = sizeof control;
      struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(sizeof(int));
      std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
    }
    ::_exit(::sendmsg(pair[1], &msg, 0) < 0 ? 1 : 0);
  }
  ::close(userns);
  ::close(pair[1]);
  int fd = -1;
  if (pid < 0) {
    *error = errno;
  } else {
    int err = EPROTO;
    char control[CMSG_SPACE(sizeof(int))] = {};
    struct iovec iov = {&err, sizeof err};
    struct msghdr msg = {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(pair[0], &msg, MSG_CMSG_CLOEXEC);
    struct cmsghdr* c = n > 0 ? CMSG_FIRSTHDR(&msg) : nullptr;
    if (c && c->cmsg_type == SCM_RIGHTS) std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
    if (fd < 0) *error = err ? err : EPROTO;
    ::waitpid(pid, nullptr, 0);
  }
  ::close(pair[0]);
  return fd;
}

}  // namespace

UniqueFd SocketInNetns(int netns_fd, int family, int type, int protocol, int* error) {
  if (::geteuid() != 0) return UniqueFd(SocketViaUserns(netns_fd, family, type, protocol, error));
  int fd = -1;
  try {
    std::thread([&] {
      if (::setns(netns_fd, CLONE_NEWNET) < 0) {
        *error = errno;
        return;
      }
      fd = ::socket(family, type | SOCK_CLOEXEC, protocol);
      if (fd < 0) *error = errno;
    }).join();
  } catch (const std::exception&) {
    *error = EAGAIN;
  }
  return UniqueFd(fd);
}

}  // namespace redline
