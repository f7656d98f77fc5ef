// What `redline run --executor slurm` asks of the cluster for each trial.
#ifndef REDLINE_EXECUTOR_SLURM_OPTIONS_H_
#define REDLINE_EXECUTOR_SLURM_OPTIONS_H_

#include <string>
#include <vector>

namespace redline {

struct SlurmOptions {
  std::string partition;              ///< --partition; "" = the cluster's default
  std::string gres;                   ///< --gres, e.g. gpu:2 (native mode)
  std::string time;                   ///< --time, e.g. 2:00:00; "" = partition default
  int array_parallel = 0;             ///< the array's %K; 0 = no throttle
  std::vector<std::string> sbatch_args;  ///< more #SBATCH lines, as given

  bool Empty() const {
    return partition.empty() && gres.empty() && time.empty() &&
           array_parallel == 0 && sbatch_args.empty();
  }
};

/// Throws InputError naming the flag for a value sbatch could not take as
/// one #SBATCH line (a newline, an empty --sbatch-arg, a negative
/// --array-parallel, one not starting with '-').
void CheckSlurmOptions(const SlurmOptions& options);

}  // namespace redline

#endif  // REDLINE_EXECUTOR_SLURM_OPTIONS_H_
