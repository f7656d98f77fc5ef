// The result of `redline doctor`: one line per thing checked, and what to do
// about each one that is not fine. Plain data, so every check group can be
// tested on its own and the printing stays in one place.
#ifndef REDLINE_DOCTOR_CHECK_H_
#define REDLINE_DOCTOR_CHECK_H_

#include <cstdio>
#include <string>
#include <vector>

namespace redline {

enum class CheckStatus {
  kOk,    ///< works
  kWarn,  ///< a trial runs, with a cost the detail names
  kFail,  ///< a trial cannot run (or its verdict cannot be trusted)
};

struct Check {
  std::string name;    ///< short, e.g. "user namespaces"
  CheckStatus status = CheckStatus::kOk;
  std::string detail;  ///< what was found (and, if not ok, what it costs)
  std::string fix;     ///< what to change; empty when there is nothing to do
};

using Checks = std::vector<Check>;

inline Check Ok(std::string name, std::string detail) {
  return {std::move(name), CheckStatus::kOk, std::move(detail), ""};
}
inline Check Warn(std::string name, std::string detail, std::string fix) {
  return {std::move(name), CheckStatus::kWarn, std::move(detail), std::move(fix)};
}
inline Check Fail(std::string name, std::string detail, std::string fix) {
  return {std::move(name), CheckStatus::kFail, std::move(detail), std::move(fix)};
}

/// "ok", "warn" or "FAIL".
const char* StatusWord(CheckStatus status);

/// One line per check ("ok    name: detail"), then a "to fix:" section
/// with the fix of every check that has one, numbered in order.
void PrintChecks(std::FILE* out, const Checks& checks);

/// 0 when no check failed (a trial could run), 1 otherwise.
int DoctorExitStatus(const Checks& checks);

/// Appends `more` to `checks`.
void Append(Checks* checks, const Checks& more);

}  // namespace redline

#endif  // REDLINE_DOCTOR_CHECK_H_
