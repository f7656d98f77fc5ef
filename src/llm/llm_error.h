// The failure of a call to a real model server, with its kind, so callers
// can tell a context overflow (compact and go on) from an auth or quota
// failure (a harness error) from an outage (retries exhausted).
#ifndef REDLINE_LLM_LLM_ERROR_H_
#define REDLINE_LLM_LLM_ERROR_H_

#include <string>

#include "base/error.h"
#include "llm/retry_policy.h"

namespace redline {

/// A SystemError, so the broker answers it as {"ok":false}. what() is the
/// whole message, e.g. `HTTP 401 from https://api.openai.com/v1/chat/
/// completions: Incorrect API key provided — set OPENAI_API_KEY`; it never
/// contains the API key.
class LlmError : public SystemError {
 public:
  LlmError(ErrorKind kind, const std::string& endpoint, int http_status,
           const std::string& message, double retry_wait_seconds, int retries);
  const char* what() const noexcept override { return message_.c_str(); }
  ErrorKind kind() const { return kind_; }
  /// The URL that failed.
  const std::string& endpoint() const { return endpoint_; }
  /// 0 when the server never answered.
  int http_status() const { return http_status_; }
  /// Time slept between attempts before giving up.
  double retry_wait_seconds() const { return retry_wait_seconds_; }
  int retries() const { return retries_; }

 private:
  ErrorKind kind_;
  std::string endpoint_;
  int http_status_;
  std::string message_;
  double retry_wait_seconds_;
  int retries_;
};

}  // namespace redline

#endif  // REDLINE_LLM_LLM_ERROR_H_
