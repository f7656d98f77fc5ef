// Error types shared by every part of redline.
//
// Three tiers (docs/DEVELOPING.md): expected outcomes are values; failures of
// the infrastructure throw SystemError; bad user input throws InputError,
// which the CLI turns into one line and a non-zero exit.
#ifndef REDLINE_BASE_ERROR_H_
#define REDLINE_BASE_ERROR_H_

#include <stdexcept>
#include <string>

namespace redline {

/// A system call or library call failed. what() reads
/// `call: strerror(errno) — hint`.
class SystemError : public std::runtime_error {
 public:
  SystemError(const std::string& call, int err, const std::string& hint = "");
  int error_code() const { return error_code_; }

 private:
  int error_code_;
};

/// The user gave something we cannot use (CLI flag, scenario, replay file).
/// what() is one line that names what is wrong and where.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Throws SystemError for `call` with the current errno.
[[noreturn]] void ThrowErrno(const std::string& call,
                             const std::string& hint = "");

}  // namespace redline

#endif  // REDLINE_BASE_ERROR_H_
