#include "run/run.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>

#include "base/clock.h"
#include "base/error.h"
#include "base/files.h"
#include "device/device.h"
#include "run/run_record.h"
#include "run/work_folders.h"

namespace redline {
namespace {

void Validate(const RunConfig& config) {
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

RunSummary ExecuteRun(const RunConfig& config, const RunEvents& events,
                      Interruption* interruption) {
  Validate(config);
  for (const std::string& line : RemoveStaleDevices()) events.log(line);
  for (const std::string& line : RemoveStaleWorkFolders()) events.log(line);
  if (!config.resume)
    WriteFileAtomic(config.out_dir + "/run.json", RunRecordJson(config) + "\n");
  std::vector<int> pending = PendingTrials(config, events.log);
  if (events.pending) events.pending(static_cast<int>(pending.size()));
  std::mutex mutex;
  size_t next = 0;
  auto worker = [&] {
    for (;;) {
      int index;
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (next >= pending.size() || (interruption && interruption->Requested()))
          return;
        index = pending[next++];
        if (events.trial_started) events.trial_started(index);
      }
      TrialResult r = RunTrial(config.trial, index,
                               config.out_dir + "/trials/" + TrialDirName(index),
                               interruption);
      std::lock_guard<std::mutex> lock(mutex);
      events.log(ProgressLine(r, config.trials));
      if (events.trial_done) events.trial_done(r);
    }
  };
  std::vector<std::thread> threads;
  int k = std::min<int>(config.parallel, static_cast<int>(pending.size()));
  for (int i = 0; i < k; ++i) threads.emplace_back(worker);
  for (std::thread& t : threads) t.join();
  RunSummary summary;
  WriteFileAtomic(config.out_dir + "/summary.json",
                  SummaryJson(config, ReadRecords(config), &summary) + "\n");
  return summary;
}

}  // namespace redline
