// Runs a fixed host tool for the world's set-up (ip, ssh-keygen) and
// captures what it says. Only argument lists chosen by the harness run
// here; nothing model-driven.
#ifndef REDLINE_WORLD_HOST_TOOL_H_
#define REDLINE_WORLD_HOST_TOOL_H_

#include <string>
#include <vector>

namespace redline {

/// Runs `argv` (argv[0] an absolute path, or a name found in the system's
/// PATH) with stdin /dev/null and only PATH in the environment; kills it after `timeout_seconds`. Returns its
/// output (stdout and stderr, at most 64 KiB). Throws std::runtime_error naming
/// the command and what it printed if it could not run, timed out or
/// exited non-zero.
std::string RunHostTool(const std::vector<std::string>& argv,
                        double timeout_seconds = 10);

/// Like RunHostTool, but returns the exit status (128 + signal if one ended
/// it, 127 if it could not be executed, -1 if it timed out) and leaves the
/// output in `*output`.
int TryHostTool(const std::vector<std::string>& argv, std::string* output,
                double timeout_seconds = 10);

}  // namespace redline

#endif  // REDLINE_WORLD_HOST_TOOL_H_
