// `redline run --executor local|slurm|none` and the Slurm flags: where the
// trials of a prepared plan run. local (the default) runs them here; slurm
// submits one job array per run folder and returns; none only prepares the
// folders (run.json), for `redline trial` or `redline k8s-manifest`
// (docs/scale-out.md).
#ifndef REDLINE_CLI_EXECUTOR_FLAGS_H_
#define REDLINE_CLI_EXECUTOR_FLAGS_H_

#include <string>
#include <vector>

#include "executor/slurm_options.h"

namespace CLI {
class App;
}

namespace redline {

struct RunConfig;

class ExecutorFlags {
 public:
  /// Adds the flags to `run`.
  void Register(CLI::App* run);
  /// True for --executor local; InputError for an unknown executor or Slurm
  /// flags without slurm.
  bool Local() const;
  /// Submits (slurm) or only prepares (none) every cell (binaries found,
  /// model checked); prints the job ids and how to follow them. Returns the
  /// exit code.
  int Submit(std::vector<RunConfig>& cells, const std::string& folder) const;

 private:
  std::string executor_ = "local";
  SlurmOptions slurm_;
};

}  // namespace redline

#endif  // REDLINE_CLI_EXECUTOR_FLAGS_H_
