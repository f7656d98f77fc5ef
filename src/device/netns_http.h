// HTTP from the host to a server inside a device. The socket is created in
// the device's network namespace (setns on the calling thread, then back),
// so the harness reaches the device's loopback while the device reaches
// nothing outside.
#ifndef REDLINE_DEVICE_NETNS_HTTP_H_
#define REDLINE_DEVICE_NETNS_HTTP_H_

#include <string>

namespace redline {

struct HttpResult {
  bool connected = false;  ///< false: no TCP connection could be made
  int status = 0;          ///< HTTP status; 0 if none arrived
  std::string body;
  std::string error;       ///< transport error, "" if none
  double seconds = 0;      ///< wall time of the whole exchange
};

/// POST `body` (JSON) to http://127.0.0.1:port/path inside the network
/// namespace `netns_fd`; gives up after `timeout_seconds`. Never throws for
/// network errors: they are in the result.
HttpResult NetnsHttpPost(int netns_fd, int port, const std::string& path,
                         const std::string& body, double timeout_seconds);
/// GET http://127.0.0.1:port/path, same rules.
HttpResult NetnsHttpGet(int netns_fd, int port, const std::string& path,
                        double timeout_seconds);

}  // namespace redline

#endif  // REDLINE_DEVICE_NETNS_HTTP_H_
