// Relaying one chat completion to the model broker outside the device
// (broker/broker_protocol.h has the wire).
#ifndef REDLINE_SYSTEM_BROKER_RELAY_H_
#define REDLINE_SYSTEM_BROKER_RELAY_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "system/openai_wire.h"

namespace redline {
class MappedWeights;
}

namespace redline {

/// What came of one relayed request.
struct RelayResult {
  enum class Status {
    kOk,
    /// The broker answered {"ok":false,…} or something unreadable.
    kRejected,
    /// The broker could not be reached or the connection broke.
    kUnavailable,
  };
  Status status = Status::kOk;
  /// kOk.
  std::string content;
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  /// kRejected, kUnavailable: one line for the client.
  std::string error;
};

/// {"messages":[{"role","content"}…]} plus "max_tokens", "temperature",
/// "top_p", "seed", "stop" when the request has them.
std::string RenderBrokerRequest(const ChatRequest& request);

/// Reads one broker answer line; anything but a well-formed
/// {"ok":true,"content":…} is kRejected.
RelayResult ParseBrokerAnswer(std::string_view line);

/// Sends `request` to the broker at `socket_path` and waits up to
/// `timeout_seconds`. Never throws for broker trouble: it comes back as
/// kUnavailable. `body` is the request as it came: when it needs no
/// normalising (request.plain) and is one line, it is sent as it is, which
/// spares re-serialising a conversation that grows every step.
RelayResult RelayChat(const std::string& socket_path,
                      const ChatRequest& request, std::string_view body,
                      double timeout_seconds);

/// Shows the broker that this process holds the weights (the weight
/// challenge, system/weight_challenge.h), answering from `weights`. The
/// broker serves a process only after this. Returns "" on success, else one
/// line saying why not (the broker's refusal, or that it cannot be reached).
std::string AttestToBroker(const std::string& socket_path,
                           const std::string& model_name,
                           const MappedWeights& weights, double timeout_seconds);

}  // namespace redline

#endif  // REDLINE_SYSTEM_BROKER_RELAY_H_
