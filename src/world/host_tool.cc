#include "world/host_tool.h"

#include <stdexcept>

#include <utility>

#include "base/captured_run.h"

namespace redline {
namespace {

std::string Joined(const std::vector<std::string>& argv) {
  std::string s;
  for (const std::string& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

}  // namespace

int TryHostTool(const std::vector<std::string>& argv, std::string* output,
                double timeout_seconds) {
  CapturedRunOptions options;
  options.timeout_seconds = timeout_seconds;
  CapturedRun run = RunCaptured(argv, options);
  *output = std::move(run.out);
  return run.exit_code;
}

std::string RunHostTool(const std::vector<std::string>& argv, double timeout_seconds) {
  std::string output;
  int code = TryHostTool(argv, &output, timeout_seconds);
  if (code != 0)
    throw std::runtime_error(Joined(argv) + ": " +
                             (code < 0 ? std::string("did not finish")
                                       : "exit status " + std::to_string(code)) +
                             ": " + output.substr(0, 400));
  return output;
}

}  // namespace redline
