// The HTTP the model checks need beyond llm/http_transport.h's POST: a GET
// (/v1/models, llama-server's /props), and plain words for a request that
// never got an answer.
#ifndef REDLINE_DOCTOR_MODEL_HTTP_H_
#define REDLINE_DOCTOR_MODEL_HTTP_H_

#include <string>
#include <vector>

#include "llm/http_transport.h"

namespace redline {

/// GETs `url` with `headers` ("Name: value"). Never throws for network
/// failures; `error` then carries curl's message plus the system's
/// ("Connection refused") when there is one.
HttpAttempt HttpGet(const std::string& url, const std::vector<std::string>& headers,
                    const HttpTimeouts& timeouts);

/// What to change for a request that got no answer ("is the server
/// running?", "check the host name", …), from curl's message.
std::string UnreachableFix(const std::string& error);

/// The server's error message from an OpenAI- or Anthropic-shaped error
/// body ({"error":{"message":…}}), else the body's first 200 characters.
std::string ServerMessage(const std::string& body);

}  // namespace redline

#endif  // REDLINE_DOCTOR_MODEL_HTTP_H_
