#include "executor/slurm_executor.h"

#include <cctype>
#include <map>

#include "base/clock.h"
#include "base/error.h"
#include "base/files.h"
#include "base/random.h"
#include "executor/run_status.h"
#include "executor/sbatch_script.h"
#include "executor/slurm_jobs.h"
#include "executor/tool_process.h"
#include "executor/trial_claim.h"

namespace redline {
namespace {

constexpr double kControllerTimeoutSeconds = 120;

std::vector<std::string> JobIds(const std::string& run_dir) {
  std::vector<std::string> ids;
  for (const SubmittedJob& job : ReadJobs(run_dir)) ids.push_back(job.job_id);
  return ids;
}

// Job names are shown by squeue: the run folder's last component.
std::string JobName(const std::string& run_dir) {
  std::string base = run_dir.substr(run_dir.find_last_of('/') + 1);
  std::string name = "redline-";
  for (char c : base.substr(0, 40))
    name += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
             c == '.')
                ? c
                : '_';
  return name;
}

// sbatch --parsable prints "jobid" or "jobid;cluster".
std::string Sbatch(const std::string& script_path) {
  CapturedRun r = RunTool({"sbatch", "--parsable", script_path}, kControllerTimeoutSeconds);
  if (r.exit_code == 127)
    throw InputError("--executor slurm: sbatch not found in PATH (run from a "
                     "Slurm login node, or see scripts/local-slurm.sh)");
  if (r.exit_code != 0)
    throw InputError("--executor slurm: sbatch refused " + script_path + ": " +
                     (r.err.empty() ? "exit " + std::to_string(r.exit_code) : r.err));
  std::string id = r.out.substr(0, r.out.find_first_of(";\n"));
  if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos)
    throw SystemError("sbatch", 0, "unexpected output: " + r.out);
  return id;
}

}  // namespace

Submission SubmitRun(const RunConfig& config, SlurmOptions options,
                     const std::string& redline_bin,
                     const std::function<void(const std::string&)>& log) {
  if (config.out_dir.empty() || config.out_dir[0] != '/')
    throw InputError("--out " + config.out_dir + ": must be absolute for --executor slurm");
  if (!ToolInPath("sbatch"))
    throw InputError("--executor slurm: sbatch not found in PATH (run from a "
                     "Slurm login node, or see scripts/local-slurm.sh)");
  PrepareRunFolder(config);
  std::vector<SubmittedJob> jobs = ReadJobs(config.out_dir);
  if (config.resume && options.Empty() && !jobs.empty()) options = jobs.back().options;
  CheckSlurmOptions(options);
  Submission sub;
  for (const TrialStatus& s : RunStatus(config.out_dir, config.trials)) {
    if (s.state == "done") continue;
    if (s.state != "failed") {
      sub.in_queue.push_back(s.index);
      continue;
    }
    // Never finished and no one will run it: it runs again from scratch.
    std::string aside = MoveTrialAside(config.out_dir, s.index);
    if (!aside.empty())
      log("trial " + TrialDirName(s.index) + " had not finished; its folder is now " + aside);
    ReleaseClaim(config.out_dir, s.index);
    sub.indices.push_back(s.index);
  }
  if (sub.indices.empty()) return sub;
  MakeDirs(config.out_dir + "/slurm");
  std::string name = "submit-" + std::to_string(static_cast<long>(WallSeconds())) + "-" +
                     RandomToken(4) + ".sh";
  sub.script = config.out_dir + "/slurm/" + name;
  WriteFileAtomic(sub.script, SbatchScript(options, redline_bin, config.out_dir,
                                           JobName(config.out_dir), sub.indices));
  sub.job_id = Sbatch(sub.script);
  RecordJob(config.out_dir,
            {sub.job_id, sub.indices, options, "slurm/" + name, IsoTimestamp()});
  return sub;
}

std::vector<std::string> CancelRun(const std::string& run_dir) {
  std::vector<std::string> ids = JobIds(run_dir);
  std::map<int, std::string> queued = QueuedTasks(ids);
  std::vector<std::string> cancelled;
  if (queued.empty()) return cancelled;
  // Which jobs still have tasks: squeue's ids are per task, so ask per job.
  for (const std::string& id : ids) {
    if (QueuedTasks({id}).empty()) continue;
    CapturedRun r = RunTool({"scancel", id}, kControllerTimeoutSeconds);
    if (r.exit_code != 0)
      throw SystemError("scancel " + id, 0, r.err.empty() ? "failed" : r.err);
    cancelled.push_back(id);
  }
  return cancelled;
}

}  // namespace redline
