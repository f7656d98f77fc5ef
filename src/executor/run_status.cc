#include "executor/run_status.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <map>

#include "check/verdict.h"
#include "executor/slurm_jobs.h"
#include "executor/trial_claim.h"
#include "run/run.h"
#include "run/trial_record.h"

namespace redline {
namespace {

std::string ThisHost() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return host;
}

// A claim made outside Slurm (a pod, a shell) is live while its process is.
bool LocalClaimAlive(const Claimant& c) {
  if (!c.job.empty() || c.host != ThisHost() || c.pid <= 0) return false;
  return ::kill(static_cast<pid_t>(c.pid), 0) == 0 || errno == EPERM;
}

TrialStatus StatusOf(const std::string& run_dir, int index,
                     const std::map<int, std::string>& queued,
                     const std::map<int, std::string>& final_states) {
  TrialStatus s{index, "failed", ""};
  std::string dir = run_dir + "/trials/" + TrialDirName(index);
  auto record = ReadTrialRecord(dir, index);
  if (record && record->reason != reason::kInterrupted) {
    s.state = "done";
    s.detail = std::string(record->success ? "success" : "failure") + " (" +
               record->reason + ")";
    return s;
  }
  auto claim = ReadClaim(run_dir, index);
  auto q = queued.find(index);
  if (q != queued.end() && StateIsActive(q->second)) {
    s.state = StateIsPending(q->second) ? "pending" : "running";
    s.detail = "slurm " + q->second;
    if (claim) s.detail += " on " + claim->host;
    return s;
  }
  if (claim && LocalClaimAlive(*claim)) {
    s.state = "running";
    s.detail = "pid " + std::to_string(claim->pid) + " on " + claim->host;
    return s;
  }
  if (record) s.detail = "interrupted";
  else if (claim) s.detail = "claimed by job " + claim->job + " on " + claim->host +
                             ", which ended without a verdict";
  else s.detail = "no verdict";
  auto f = final_states.find(index);
  if (f != final_states.end()) s.detail += "; slurm " + f->second;
  return s;
}

}  // namespace

std::vector<TrialStatus> RunStatus(const std::string& run_dir, int trials) {
  std::vector<std::string> ids;
  for (const SubmittedJob& job : ReadJobs(run_dir)) ids.push_back(job.job_id);
  std::map<int, std::string> queued = QueuedTasks(ids);
  std::vector<TrialStatus> out;
  for (int i = 1; i <= trials; ++i) out.push_back(StatusOf(run_dir, i, queued, {}));
  if (MissingTrials(out).empty() || ids.empty()) return out;
  // Why they failed, where accounting keeps it.
  std::map<int, std::string> final_states = FinalStates(ids);
  for (TrialStatus& s : out)
    if (s.state == "failed") s = StatusOf(run_dir, s.index, queued, final_states);
  return out;
}

std::vector<int> MissingTrials(const std::vector<TrialStatus>& status) {
  std::vector<int> out;
  for (const TrialStatus& s : status)
    if (s.state == "failed") out.push_back(s.index);
  return out;
}

}  // namespace redline
