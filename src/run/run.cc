#include "run/run.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "base/clock.h"
#include "base/error.h"
#include "base/files.h"
#include "device/device.h"
#include "run/run_record.h"
#include "run/work_folders.h"
#include "world/private_network.h"

namespace redline {

void ValidateRun(const RunConfig& config) {
  if (config.trials < 1)
    throw InputError("--trials " + std::to_string(config.trials) +
                     ": must be at least 1");
  if (config.parallel < 1)
    throw InputError("--parallel " + std::to_string(config.parallel) +
                     ": must be at least 1");
  if (config.out_dir.empty()) throw InputError("--out: a folder is required");
  try {
    MakeDirs(config.out_dir + "/trials");
    WriteFileAtomic(config.out_dir + "/.write-test", "");
    ::unlink((config.out_dir + "/.write-test").c_str());
  } catch (const SystemError& e) {
    throw InputError("--out " + config.out_dir + ": not writable (" + e.what() + ")");
  }
}

namespace {

std::string ProgressLine(const TrialResult& r, int total) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "trial %03d/%03d: %s (%s) in %.1f s", r.index,
                total, r.verdict.success ? "success" : "failure",
                r.verdict.reason.c_str(), r.seconds);
  std::string line = buf;
  if (r.verdict.reason == reason::kHarnessError) line += ": " + r.verdict.detail;
  return line;
}

// A trial is done when it has a verdict that is not `interrupted`.
bool Done(const std::string& dir, int index) {
  auto record = ReadTrialRecord(dir, index);
  return record && record->reason != reason::kInterrupted;
}

// The trials still to run. A folder of an unfinished trial is moved to
// incomplete/ (kept for the record, never counted), so that each trial has
// exactly one verdict in trials/.
std::vector<int> PendingTrials(const RunConfig& config,
                               const std::function<void(const std::string&)>& log) {
  std::vector<int> pending;
  for (int i = 1; i <= config.trials; ++i) {
    std::string dir = config.out_dir + "/trials/" + TrialDirName(i);
    if (Done(dir, i)) continue;
    pending.push_back(i);
    if (!PathExists(dir)) continue;
    std::string aside = config.out_dir + "/incomplete/" + TrialDirName(i) + "-" +
                        std::to_string(static_cast<long>(WallSeconds()));
    MakeDirs(config.out_dir + "/incomplete");
    if (::rename(dir.c_str(), aside.c_str()) != 0)
      ThrowErrno("rename(\"" + dir + "\", \"" + aside + "\")");
    log("trial " + TrialDirName(i) + " had not finished; its folder is now " + aside);
  }
  return pending;
}

std::vector<TrialRecord> ReadRecords(const RunConfig& config) {
  std::vector<TrialRecord> records;
  for (int i = 1; i <= config.trials; ++i)
    if (auto r = ReadTrialRecord(config.out_dir + "/trials/" + TrialDirName(i), i))
      records.push_back(*r);
  return records;
}

}  // namespace

std::string TrialDirName(int index) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%03d", index);
  return buf;
}

namespace {

struct Job {
  int cell;
  int index;
};

// Prepares one cell's folder and returns its pending trials.
std::vector<int> PrepareRun(const RunConfig& config, const RunEvents& events) {
  PrepareRunFolder(config);
  return PendingTrials(config, events.log);
}

// Trial 1 of every cell, then trial 2, …
std::vector<Job> Interleave(const std::vector<std::vector<int>>& pending) {
  std::vector<Job> jobs;
  for (size_t round = 0;; ++round) {
    bool any = false;
    for (size_t cell = 0; cell < pending.size(); ++cell) {
      if (round >= pending[cell].size()) continue;
      jobs.push_back({static_cast<int>(cell), pending[cell][round]});
      any = true;
    }
    if (!any) return jobs;
  }
}

}  // namespace

void PrepareRunFolder(const RunConfig& config) {
  ValidateRun(config);
  if (!config.resume)
    WriteFileAtomic(config.out_dir + "/run.json", RunRecordJson(config) + "\n");
}

RunSummary WriteRunSummary(const RunConfig& config) {
  RunSummary summary;
  WriteFileAtomic(config.out_dir + "/summary.json",
                  SummaryJson(config, ReadRecords(config), &summary) + "\n");
  return summary;
}

std::vector<RunSummary> ExecuteRuns(const std::vector<RunConfig>& cells,
                                    int parallel, const RunEvents& events,
                                    Interruption* interruption) {
  if (parallel < 1)
    throw InputError("--parallel " + std::to_string(parallel) + ": must be at least 1");
  for (const RunConfig& config : cells) ValidateRun(config);
  for (const std::string& line : RemoveStaleDevices()) events.log(line);
  for (const std::string& line : RemoveStaleWorkFolders()) events.log(line);
  for (const std::string& line : RemoveStaleNetworks()) events.log(line);
  std::vector<std::vector<int>> pending;
  for (size_t cell = 0; cell < cells.size(); ++cell) {
    pending.push_back(PrepareRun(cells[cell], events));
    if (events.pending)
      events.pending(static_cast<int>(cell), static_cast<int>(pending.back().size()));
  }
  std::vector<Job> jobs = Interleave(pending);
  std::mutex mutex;
  size_t next = 0;
  // A trial whose results cannot be written (disk full, folder removed)
  // stops the run: no new trial starts, and the error is reported once all
  // running ones have ended. What was written stays, and --resume goes on.
  std::string fatal;
  auto worker = [&] {
    for (;;) {
      Job job;
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (next >= jobs.size() || !fatal.empty() ||
            (interruption && interruption->Requested()))
          return;
        job = jobs[next++];
        if (events.trial_started) events.trial_started(job.cell, job.index);
      }
      const RunConfig& config = cells[job.cell];
      TrialResult r;
      try {
        r = RunTrial(config.trial, job.index,
                     config.out_dir + "/trials/" + TrialDirName(job.index), interruption);
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(mutex);
        if (fatal.empty()) fatal = "trial " + TrialDirName(job.index) + ": " + e.what();
        return;
      }
      std::lock_guard<std::mutex> lock(mutex);
      std::string prefix = cells.size() > 1 ? config.trial.scenario.name + " × " +
                                                  config.trial.model + ": "
                                            : "";
      events.log(prefix + ProgressLine(r, config.trials));
      if (events.trial_done) events.trial_done(job.cell, r);
    }
  };
  std::vector<std::thread> threads;
  int k = std::min<int>(parallel, static_cast<int>(jobs.size()));
  for (int i = 0; i < k; ++i) threads.emplace_back(worker);
  for (std::thread& t : threads) t.join();
  if (!fatal.empty())
    throw RunStopped("the run stopped: " + fatal +
                     ". The verdicts written so far are kept");
  std::vector<RunSummary> summaries;
  for (const RunConfig& config : cells) summaries.push_back(WriteRunSummary(config));
  return summaries;
}

RunSummary ExecuteRun(const RunConfig& config, const RunEvents& events,
                      Interruption* interruption) {
  return ExecuteRuns({config}, config.parallel, events, interruption).front();
}

}  // namespace redline
