// Runs a cluster tool (sbatch, squeue, scancel, sacct) with the harness's
// environment (SLURM_CONF and the user's Slurm settings must reach it) and
// captures what it prints. Only argument lists built by redline run here.
#ifndef REDLINE_EXECUTOR_TOOL_PROCESS_H_
#define REDLINE_EXECUTOR_TOOL_PROCESS_H_

#include <string>
#include <vector>

#include "base/captured_run.h"

namespace redline {

/// Runs argv[0] found in PATH, with stdin from /dev/null; kills it after
/// `timeout_seconds`. stdout (at most 1 MiB) and stderr (trimmed, at most
/// 64 KiB) apart.
CapturedRun RunTool(const std::vector<std::string>& argv, double timeout_seconds);

/// True if `name` is an executable file in PATH.
bool ToolInPath(const std::string& name);

}  // namespace redline

#endif  // REDLINE_EXECUTOR_TOOL_PROCESS_H_
