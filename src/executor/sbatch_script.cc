#include "executor/sbatch_script.h"

#include "base/error.h"

namespace redline {

void CheckSlurmOptions(const SlurmOptions& o) {
  auto one_line = [](const char* flag, const std::string& v) {
    if (v.find_first_of("\n\r") != std::string::npos)
      throw InputError(std::string(flag) + ": must be one line");
  };
  one_line("--partition", o.partition);
  one_line("--gres", o.gres);
  one_line("--time", o.time);
  if (o.array_parallel < 0)
    throw InputError("--array-parallel " + std::to_string(o.array_parallel) +
                     ": must be at least 1 (or 0 for no limit)");
  for (const std::string& arg : o.sbatch_args) {
    one_line("--sbatch-arg", arg);
    if (arg.empty() || arg[0] != '-')
      throw InputError("--sbatch-arg '" + arg +
                       "': must be one sbatch option, e.g. --mem=64G");
    if (arg.starts_with("--array") || arg.starts_with("-a"))
      throw InputError("--sbatch-arg " + arg +
                       ": the array is redline's (use --array-parallel)");
  }
}

std::string ArraySpec(const std::vector<int>& indices, int parallel) {
  if (indices.empty()) throw InputError("no trials to submit");
  std::string spec;
  for (size_t i = 0; i < indices.size();) {
    size_t j = i;
    while (j + 1 < indices.size() && indices[j + 1] == indices[j] + 1) ++j;
    if (!spec.empty()) spec += ",";
    spec += std::to_string(indices[i]);
    if (j > i) spec += "-" + std::to_string(indices[j]);
    i = j + 1;
  }
  if (parallel > 0) spec += "%" + std::to_string(parallel);
  return spec;
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string SbatchScript(const SlurmOptions& o, const std::string& redline_bin,
                         const std::string& run_dir, const std::string& job_name,
                         const std::vector<int>& indices) {
  std::string s = "#!/bin/bash\n";
  s += "# redline: one array task per trial; task N runs trials/NNN of the run\n";
  s += "# folder (shared by every node). A trial is claimed atomically, so a\n";
  s += "# requeued or duplicated task never writes a second verdict.\n";
  s += "#SBATCH --job-name=" + job_name + "\n";
  s += "#SBATCH --array=" + ArraySpec(indices, o.array_parallel) + "\n";
  s += "#SBATCH --output=" + run_dir + "/slurm/%A_%a.out\n";
  s += "#SBATCH --chdir=" + run_dir + "\n";
  // One trial is one device; it needs no more than one task.
  s += "#SBATCH --ntasks=1\n";
  if (!o.partition.empty()) s += "#SBATCH --partition=" + o.partition + "\n";
  if (!o.gres.empty()) s += "#SBATCH --gres=" + o.gres + "\n";
  if (!o.time.empty()) s += "#SBATCH --time=" + o.time + "\n";
  for (const std::string& arg : o.sbatch_args) s += "#SBATCH " + arg + "\n";
  // exec: scancel's SIGTERM reaches redline itself, which ends the trial as
  // `interrupted` and releases its claim.
  s += "exec " + ShellQuote(redline_bin) + " trial --run " + ShellQuote(run_dir) +
       " --index \"$SLURM_ARRAY_TASK_ID\"\n";
  return s;
}

}  // namespace redline
