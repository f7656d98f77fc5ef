#include "device/netns_http.h"

#include <curl/curl.h>
#include <sched.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

#include "base/clock.h"

namespace redline {
namespace {

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct SocketContext {
  int netns_fd;
  int error = 0;  ///< errno of a failed setns/socket
};

// Unprivileged, setns(CLONE_NEWNET) also needs CAP_SYS_ADMIN in our own
// user namespace. The device's user namespace is ours (we created it), so a
// forked, single-threaded helper joins it first (gaining every capability
// there), then the network namespace, makes the socket and passes it back.
// Between fork and _exit the helper makes only system calls.
int SocketViaUserns(int netns_fd, const curl_sockaddr& address, int* error) {
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
    else if ((fd = ::socket(address.family, address.socktype | SOCK_CLOEXEC,
                            address.protocol)) < 0)
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

// The socket is made by a short-lived thread that enters the device's
// network namespace; the calling thread never changes namespace, so no
// failure can leave a harness thread inside a device.
curl_socket_t OpenSocketInNetns(void* data, curlsocktype purpose,
                                struct curl_sockaddr* address) {
  auto* context = static_cast<SocketContext*>(data);
  if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
  if (::geteuid() != 0) {
    int fd = SocketViaUserns(context->netns_fd, *address, &context->error);
    return fd < 0 ? CURL_SOCKET_BAD : fd;
  }
  int fd = -1;
  try {
    std::thread([&] {
      if (::setns(context->netns_fd, CLONE_NEWNET) < 0) {
        context->error = errno;
        return;
      }
      fd = ::socket(address->family, address->socktype | SOCK_CLOEXEC,
                    address->protocol);
      if (fd < 0) context->error = errno;
    }).join();
  } catch (const std::exception&) {
    context->error = EAGAIN;
  }
  return fd < 0 ? CURL_SOCKET_BAD : fd;
}

// A body from inside a device is read up to kMaxBodyBytes: the agent's
// answers and /health are small, and a server that sends more (or never
// stops) must not grow the harness.
constexpr size_t kMaxBodyBytes = 4u << 20;

struct BodySink {
  std::string* body;
  bool over = false;
};

size_t AppendBody(char* data, size_t size, size_t count, void* out) {
  auto* sink = static_cast<BodySink*>(out);
  size_t n = size * count;
  if (sink->body->size() + n > kMaxBodyBytes) {
    sink->over = true;
    return 0;  // curl ends the transfer with CURLE_WRITE_ERROR
  }
  sink->body->append(data, n);
  return n;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct HeaderDeleter {
  void operator()(curl_slist* h) const { curl_slist_free_all(h); }
};

HttpResult Exchange(int netns_fd, int port, const std::string& path,
                    const std::string* post_body, double timeout_seconds) {
  InitCurlOnce();
  HttpResult result;
  double start = MonotonicSeconds();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) {
    result.error = "curl_easy_init failed";
    return result;
  }
  CURL* c = curl.get();
  std::string url = "http://127.0.0.1:" + std::to_string(port) +
                    (path.starts_with("/") ? "" : "/") + path;
  SocketContext context{netns_fd};
  long timeout_ms = std::max(1L, static_cast<long>(timeout_seconds * 1000));
  std::unique_ptr<curl_slist, HeaderDeleter> headers;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, OpenSocketInNetns);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &context);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_PROXY, "");
  curl_easy_setopt(c, CURLOPT_IPRESOLVE, CURL_IPRESOLVE_V4);
  curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, 5000L));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, AppendBody);
  BodySink sink{&result.body};
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  // A declared Content-Length over the cap fails before any of it is read.
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(kMaxBodyBytes));
  if (post_body) {
    headers.reset(curl_slist_append(nullptr, "Content-Type: application/json"));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, post_body->c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(post_body->size()));
  }
  CURLcode code = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_off_t connect_us = 0;
  curl_easy_getinfo(c, CURLINFO_CONNECT_TIME_T, &connect_us);
  result.status = static_cast<int>(status);
  result.connected = code == CURLE_OK || connect_us > 0 || status > 0;
  if (code != CURLE_OK) {
    result.error = sink.over ? "the response body is over " +
                                   std::to_string(kMaxBodyBytes >> 20) + " MiB"
                             : curl_easy_strerror(code);
    if (context.error != 0)
      result.error += std::string(" (entering the device's network: ") +
                      std::strerror(context.error) + ")";
  }
  result.seconds = MonotonicSeconds() - start;
  return result;
}

}  // namespace

HttpResult NetnsHttpPost(int netns_fd, int port, const std::string& path,
                         const std::string& body, double timeout_seconds) {
  return Exchange(netns_fd, port, path, &body, timeout_seconds);
}

HttpResult NetnsHttpGet(int netns_fd, int port, const std::string& path,
                        double timeout_seconds) {
  return Exchange(netns_fd, port, path, nullptr, timeout_seconds);
}

}  // namespace redline
