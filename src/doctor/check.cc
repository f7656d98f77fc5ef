#include "doctor/check.h"

namespace redline {

const char* StatusWord(CheckStatus status) {
  switch (status) {
    case CheckStatus::kOk: return "ok";
    case CheckStatus::kWarn: return "warn";
    case CheckStatus::kFail: return "FAIL";
  }
  return "?";
}

void PrintChecks(std::FILE* out, const Checks& checks) {
  for (const Check& c : checks)
    std::fprintf(out, "%-5s %s: %s\n", StatusWord(c.status), c.name.c_str(),
                 c.detail.c_str());
  int n = 0;
  for (const Check& c : checks) {
    if (c.fix.empty()) continue;
    if (n == 0) std::fprintf(out, "\nto fix:\n");
    std::fprintf(out, "%2d. [%s] %s: %s\n", ++n, StatusWord(c.status),
                 c.name.c_str(), c.fix.c_str());
  }
  if (n == 0) std::fprintf(out, "\nnothing to fix\n");
}

int DoctorExitStatus(const Checks& checks) {
  for (const Check& c : checks)
    if (c.status == CheckStatus::kFail) return 1;
  return 0;
}

void Append(Checks* checks, const Checks& more) {
  checks->insert(checks->end(), more.begin(), more.end());
}

}  // namespace redline
