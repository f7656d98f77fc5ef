#include "base/error.h"

#include <cerrno>
#include <cstring>

namespace redline {

static std::string Describe(const std::string& call, int err,
                            const std::string& hint) {
  std::string text = call + ": " + std::strerror(err);
  if (!hint.empty()) text += " — " + hint;
  return text;
}

SystemError::SystemError(const std::string& call, int err,
                         const std::string& hint)
    : std::runtime_error(Describe(call, err, hint)), error_code_(err) {}

void ThrowErrno(const std::string& call, const std::string& hint) {
  throw SystemError(call, errno, hint);
}

}  // namespace redline
