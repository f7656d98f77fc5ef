// What a model server's answer means and whether to try again: a pure
// function of the response (status, headers, body), so every server's error
// shape (llm-interop.md §1, §4, §5) is unit-tested without a network.
#ifndef REDLINE_LLM_RETRY_POLICY_H_
#define REDLINE_LLM_RETRY_POLICY_H_

#include <map>
#include <optional>
#include <string>

#include "llm/http_transport.h"

namespace redline {

enum class ErrorKind {
  kOk,               ///< 2xx
  kRetryable,        ///< 408, 409, 429 rate limit, 5xx, 529 overloaded
  kNetwork,          ///< no HTTP answer: refused, DNS, TLS, timeout
  kAuth,             ///< 401, 403: the key is missing, wrong or not allowed
  kQuota,            ///< insufficient_quota, spend limit, credit balance, 402
  kContextOverflow,  ///< the prompt does not fit the model's context
  kBadRequest,       ///< any other 4xx (bad model name, bad parameter)
  kBadResponse,      ///< 2xx whose body is not the expected JSON
};

/// "ok", "retryable", "network", "auth", "quota", "context_overflow",
/// "bad_request", "bad_response".
const char* ErrorKindName(ErrorKind kind);

/// The inputs a retry decision needs besides the response; passed in so the
/// decision stays deterministic under test.
struct RetryContext {
  int attempt = 0;       ///< retries done so far (0 on the first failure)
  int max_retries = 5;
  double random01 = 0;   ///< uniform in [0, 1), for jitter
  double now_epoch = 0;  ///< wall clock, for an HTTP-date Retry-After
  double max_retry_after_seconds = 120;
};

struct RetryDecision {
  ErrorKind kind = ErrorKind::kOk;
  bool retry = false;
  double delay_seconds = 0;  ///< when retry
  /// The server's own error message if the body has one (OpenAI, vLLM flat
  /// or nested, llama-server, Anthropic shapes), else an excerpt of the
  /// body; empty for kOk.
  std::string message;
};

/// Classifies an HTTP answer and decides on a retry: retryable kinds are
/// retried while attempt < max_retries, after the server's retry-after-ms or
/// Retry-After (seconds or HTTP-date) if given and positive, else after
/// BackoffSeconds. A server asking for more than max_retry_after_seconds is
/// not retried. `x-should-retry: true|false` overrides the status.
RetryDecision ClassifyResponse(const HttpResponse& response,
                               const RetryContext& context);

/// The same for a request that got no HTTP answer: always kNetwork,
/// retried with BackoffSeconds while attempt < max_retries.
RetryDecision ClassifyTransportFailure(const std::string& error,
                                       const RetryContext& context);

/// min(0.5·2^attempt, 8)·(1 − 0.25·random01).
double BackoffSeconds(int attempt, double random01);

/// The wait the server asks for, from retry-after-ms, else Retry-After in
/// seconds (fractions allowed) or as an HTTP-date relative to now_epoch.
/// nullopt if neither header is present or parses.
std::optional<double> ServerRetryAfter(
    const std::map<std::string, std::string>& headers, double now_epoch);

}  // namespace redline

#endif  // REDLINE_LLM_RETRY_POLICY_H_
