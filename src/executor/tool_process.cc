#include "executor/tool_process.h"

#include <cstdlib>

#include "base/captured_run.h"

namespace redline {

CapturedRun RunTool(const std::vector<std::string>& argv, double timeout_seconds) {
  CapturedRunOptions options;
  options.timeout_seconds = timeout_seconds;
  options.inherit_environment = true;
  options.separate_stderr = true;
  options.max_out = 1 << 20;
  return RunCaptured(argv, options);
}

bool ToolInPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  return !FindInPath(name, path ? path : "/usr/bin:/bin").empty();
}

}  // namespace redline
