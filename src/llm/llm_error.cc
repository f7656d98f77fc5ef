#include "llm/llm_error.h"

#include <cerrno>

namespace redline {
namespace {

// SystemError wants an errno; pick the closest so code that looks at it
// still sees something sensible.
int ErrnoFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kNetwork: return ECONNREFUSED;
    case ErrorKind::kAuth: return EACCES;
    case ErrorKind::kQuota: return EDQUOT;
    case ErrorKind::kContextOverflow: return E2BIG;
    case ErrorKind::kBadRequest: return EINVAL;
    default: return EIO;
  }
}

}  // namespace

LlmError::LlmError(ErrorKind kind, const std::string& endpoint,
                   int http_status, const std::string& message,
                   double retry_wait_seconds, int retries)
    : SystemError(endpoint, ErrnoFor(kind)),
      kind_(kind),
      endpoint_(endpoint),
      http_status_(http_status),
      message_(message),
      retry_wait_seconds_(retry_wait_seconds),
      retries_(retries) {}

}  // namespace redline
