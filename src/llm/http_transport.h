// One HTTP POST over libcurl, no retries, no interpretation of the status:
// the thin layer under the real model providers. Retry and error policy
// live in retry_policy.h; the retry loop in api_call.h.
#ifndef REDLINE_LLM_HTTP_TRANSPORT_H_
#define REDLINE_LLM_HTTP_TRANSPORT_H_

#include <map>
#include <string>
#include <vector>

namespace redline {

/// What a server answered.
struct HttpResponse {
  int status = 0;
  /// Header names in lower case; of a repeated header, the last value.
  std::map<std::string, std::string> headers;
  std::string body;
};

/// The result of one attempt: either the server answered (any status), or
/// the request failed below HTTP (refused, DNS, TLS, timeout).
struct HttpAttempt {
  bool answered = false;
  HttpResponse response;  ///< when answered
  std::string error;      ///< when not: curl's description
  bool timed_out = false; ///< when not: the failure was a timeout
};

struct HttpTimeouts {
  double connect_seconds = 10;
  double total_seconds = 600;
};

/// POSTs `body` to `url` (http or https only) with `headers` given as
/// "Name: value" lines. Thread-safe; never throws for network failures
/// (they come back in HttpAttempt), throws SystemError only if curl itself
/// cannot be set up.
HttpAttempt HttpPost(const std::string& url,
                     const std::vector<std::string>& headers,
                     const std::string& body, const HttpTimeouts& timeouts);

}  // namespace redline

#endif  // REDLINE_LLM_HTTP_TRANSPORT_H_
