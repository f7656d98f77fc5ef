#include "device/netns_http.h"

#include <curl/curl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

#include "base/clock.h"
#include "device/netns_socket.h"

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

// The socket is made in the device's network namespace without this thread
// ever entering it (device/netns_socket.h).
curl_socket_t OpenSocketInNetns(void* data, curlsocktype purpose,
                                struct curl_sockaddr* address) {
  auto* context = static_cast<SocketContext*>(data);
  if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
  UniqueFd fd = SocketInNetns(context->netns_fd, address->family, address->socktype,
                              address->protocol, &context->error);
  return fd.valid() ? fd.release() : CURL_SOCKET_BAD;
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
