#include "executor/slurm_jobs.h"

#include <nlohmann/json.hpp>
#include <sstream>

#include "base/error.h"
#include "base/files.h"
#include "executor/tool_process.h"

namespace redline {
namespace {

using nlohmann::json;

constexpr double kQueryTimeoutSeconds = 60;

std::string JobsPath(const std::string& run_dir) { return run_dir + "/slurm/jobs.jsonl"; }

std::string JoinIds(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += (out.empty() ? "" : ",") + id;
  return out;
}

// "12_3" → 3; -1 for a line that is not an array task.
int TaskOf(const std::string& id) {
  size_t u = id.find('_');
  if (u == std::string::npos) return -1;
  std::string rest = id.substr(u + 1);
  if (rest.empty() || rest.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stoi(rest);
}

}  // namespace

void RecordJob(const std::string& run_dir, const SubmittedJob& job) {
  json options = {{"partition", job.options.partition}, {"gres", job.options.gres},
                  {"time", job.options.time},
                  {"array_parallel", job.options.array_parallel},
                  {"sbatch_args", job.options.sbatch_args}};
  json line = {{"job_id", job.job_id}, {"indices", job.indices}, {"options", options},
               {"script", job.script}, {"submitted", job.submitted}};
  MakeDirs(run_dir + "/slurm");
  AppendLine(JobsPath(run_dir), line.dump());
}

std::vector<SubmittedJob> ReadJobs(const std::string& run_dir) {
  std::vector<SubmittedJob> jobs;
  std::string path = JobsPath(run_dir);
  if (!PathExists(path)) return jobs;
  std::istringstream in(ReadFile(path));
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    try {
      json j = json::parse(line);
      SubmittedJob job;
      job.job_id = j.at("job_id").get<std::string>();
      job.indices = j.at("indices").get<std::vector<int>>();
      const json& o = j.at("options");
      job.options.partition = o.at("partition").get<std::string>();
      job.options.gres = o.at("gres").get<std::string>();
      job.options.time = o.at("time").get<std::string>();
      job.options.array_parallel = o.at("array_parallel").get<int>();
      job.options.sbatch_args = o.at("sbatch_args").get<std::vector<std::string>>();
      job.script = j.value("script", "");
      job.submitted = j.value("submitted", "");
      jobs.push_back(job);
    } catch (const json::exception& e) {
      throw InputError(path + " line " + std::to_string(number) +
                       ": not a job record (" + e.what() + ")");
    }
  }
  return jobs;
}

bool StateIsPending(const std::string& state) {
  return state == "PENDING" || state == "REQUEUED" || state == "REQUEUE_HOLD" ||
         state == "REQUEUE_FED" || state == "SUSPENDED" || state == "RESV_DEL_HOLD";
}

bool StateIsActive(const std::string& state) {
  return StateIsPending(state) || state == "RUNNING" || state == "COMPLETING" ||
         state == "CONFIGURING" || state == "RESIZING" || state == "SIGNALING" ||
         state == "STAGE_OUT";
}

std::map<int, std::string> QueuedTasks(const std::vector<std::string>& job_ids) {
  std::map<int, std::string> tasks;
  if (job_ids.empty()) return tasks;
  // -r: one line per array task, pending ones included; %i is "job_task".
  CapturedRun r = RunTool({"squeue", "-h", "-r", "-o", "%i %T", "-j", JoinIds(job_ids)},
                         kQueryTimeoutSeconds);
  if (r.exit_code != 0) {
    // Jobs that ended long ago are forgotten by the controller.
    if (r.err.find("Invalid job id") != std::string::npos) return tasks;
    throw SystemError("squeue", 0, r.exit_code == 127 ? "squeue not found in PATH"
                                                      : r.err);
  }
  std::istringstream in(r.out);
  std::string id, state;
  while (in >> id >> state) {
    int task = TaskOf(id);
    if (task >= 0) tasks[task] = state;
  }
  return tasks;
}

std::map<int, std::string> FinalStates(const std::vector<std::string>& job_ids) {
  std::map<int, std::string> states;
  if (job_ids.empty() || !ToolInPath("sacct")) return states;
  CapturedRun r = RunTool({"sacct", "-n", "-P", "-X", "-o", "JobID,State", "-j",
                          JoinIds(job_ids)},
                         kQueryTimeoutSeconds);
  if (r.exit_code != 0) return states;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    size_t bar = line.find('|');
    if (bar == std::string::npos) continue;
    int task = TaskOf(line.substr(0, bar));
    if (task >= 0) states[task] = line.substr(bar + 1);
  }
  return states;
}

}  // namespace redline
