// LlmClient over HTTP: POST /v1/chat/completions of the system's own LLM
// server (OpenAI-compatible), as the paper's agent talked to its vLLM.
#ifndef REDLINE_AGENT_HTTP_LLM_CLIENT_H_
#define REDLINE_AGENT_HTTP_LLM_CLIENT_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "agent/llm_client.h"

namespace redline {

struct HttpLlmOptions {
  std::string host = "127.0.0.1";
  int port = 8760;
  /// Sent as "model"; the system's server serves one model and ignores it.
  std::string model = "local";
  /// How long one completion may take (big local models are slow).
  double read_timeout_seconds = 600;
  double connect_timeout_seconds = 5;
  /// Attempts when the connection itself fails (refused, unreachable), with
  /// `retry_pause_seconds` between them, all within `retry_window_seconds`
  /// of the first attempt. HTTP errors are never retried.
  int connect_attempts = 3;
  double retry_pause_seconds = 1;
  double retry_window_seconds = 1e9;
};

class HttpLlmClient : public LlmClient {
 public:
  explicit HttpLlmClient(HttpLlmOptions options);
  ~HttpLlmClient() override;
  /// Non-200, a body that is not JSON, or no string at
  /// choices[0].message.content: !ok with the reason.
  LlmReply Complete(const std::vector<ChatMessage>& messages) override;
  /// "http://<host>:<port>/v1/chat/completions", for messages.
  std::string Url() const;

  /// The keep-alive HTTP client and the serialized history (cpp-httplib
  /// stays in the .cc). Calls must pass append-only histories: a
  /// conversation is known by its first two messages.
  struct Connection;

 private:
  HttpLlmOptions options_;
  std::mutex mutex_;  // one call at a time on the shared connection
  std::unique_ptr<Connection> connection_;
};

}  // namespace redline

#endif  // REDLINE_AGENT_HTTP_LLM_CLIENT_H_
