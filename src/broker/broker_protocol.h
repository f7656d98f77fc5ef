// The wire between an llm-server inside a device and the broker outside it.
//
// One request per connection on a unix stream socket: the client writes one
// JSON object and a '\n', the broker answers one JSON object and a '\n', then
// closes. Request:  {"messages":[{"role":"system","content":"…"},…],
//                    "max_tokens":N?, "temperature":x?, …}
// Answer:           {"ok":true,"content":"…","prompt_tokens":N,"completion_tokens":N}
//                 | {"ok":false,"error":"…"}
// The broker learns the sender's pid from SO_PEERCRED, never from the body.
#ifndef REDLINE_BROKER_BROKER_PROTOCOL_H_
#define REDLINE_BROKER_BROKER_PROTOCOL_H_

#include <string>

#include "base/unique_fd.h"

namespace redline {

/// One client connection to the broker, for exchanges of more than one line
/// (the weight challenge). Every call is bounded by the deadline given at
/// Connect; errors throw SystemError.
class BrokerConnection {
 public:
  BrokerConnection(const std::string& socket_path, double timeout_seconds);
  void SendLine(const std::string& line);
  /// One line without its '\n'; at most `max_bytes`.
  std::string ReadLine(size_t max_bytes = 1 << 20);

 private:
  UniqueFd fd_;
  double deadline_;
  std::string pending_;  // bytes read past the last line
};

/// Sends one request line to the broker at `socket_path` and returns the
/// answer line (without the '\n'). Throws SystemError if the socket cannot be
/// reached or the connection breaks; `timeout_seconds` bounds the wait.
std::string BrokerRoundTrip(const std::string& socket_path,
                            const std::string& request_json,
                            double timeout_seconds);

}  // namespace redline

#endif  // REDLINE_BROKER_BROKER_PROTOCOL_H_
