#include "doctor/run_program.h"

#include "base/captured_run.h"

namespace redline {

CapturedRun RunProgram(const std::vector<std::string>& argv,
                       double timeout_seconds, int as_uid) {
  CapturedRunOptions options;
  options.timeout_seconds = timeout_seconds;
  options.as_uid = as_uid;
  // The user's own installs (a server in /usr/local/bin) count for checks.
  options.path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
  return RunCaptured(argv, options);
}

std::string FirstLine(const std::string& text, size_t max) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > max) line = line.substr(0, max) + "…";
  return line;
}

}  // namespace redline
