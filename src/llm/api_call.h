// A JSON POST to a model server with the retry policy of retry_policy.h:
// the one loop both real providers share.
#ifndef REDLINE_LLM_API_CALL_H_
#define REDLINE_LLM_API_CALL_H_

#include <functional>
#include <string>
#include <vector>

#include "llm/http_transport.h"

namespace redline {

struct ApiCallSettings {
  HttpTimeouts timeouts;
  int max_retries = 5;
  double max_retry_after_seconds = 120;
  /// Appended to auth failures, e.g. "set OPENAI_API_KEY".
  std::string auth_hint;
  /// Removed from every error message (the API key), in case a server
  /// echoes it.
  std::string secret;
  /// Actual sleeps are this fraction of the honoured wait (tests only).
  double sleep_scale = 1.0;
  /// When set, a 2xx answer is passed through this before it is accepted:
  /// a streamed answer comes back as the equivalent plain JSON answer, as
  /// an error answer (an error event inside the stream) or as a failure
  /// below HTTP (a stream cut before its end), and is then classified like
  /// any other attempt, so the retry rules hold for streams too.
  std::function<HttpAttempt(const HttpResponse&)> answer_filter;
};

struct ApiCallResult {
  HttpResponse response;  ///< a 2xx answer
  double retry_wait_seconds = 0;
  int retries = 0;
};

/// POSTs `body` (JSON) to `url`, retrying as ClassifyResponse and
/// ClassifyTransportFailure decide. Returns the first 2xx answer; otherwise
/// throws LlmError whose message names the URL, the HTTP status (or the
/// network error) and the server's message, plus what to fix for auth,
/// quota and overflow failures. Thread-safe.
ApiCallResult PostJsonWithRetries(const std::string& url,
                                  const std::vector<std::string>& headers,
                                  const std::string& body,
                                  const ApiCallSettings& settings);

/// `text` with every occurrence of `secret` replaced by "<redacted>".
std::string Redact(std::string text, const std::string& secret);

}  // namespace redline

#endif  // REDLINE_LLM_API_CALL_H_
