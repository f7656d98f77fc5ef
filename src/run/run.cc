#include "run/run.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>

#include "base/error.h"
#include "base/files.h"
#include "device/device.h"
#include "run/run_record.h"

namespace redline {
namespace {

std::string TrialDirName(int index) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%03d", index);
  return buf;
}

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
  if (r.verdict.reason == "harness_error") line += ": " + r.verdict.detail;
  return line;
}

}  // namespace

RunSummary ExecuteRun(const RunConfig& config,
                      const std::function<void(const std::string&)>& progress) {
  Validate(config);
  for (const std::string& line : RemoveStaleDevices()) progress(line);
  WriteFileAtomic(config.out_dir + "/run.json", RunRecordJson(config) + "\n");
  std::vector<TrialResult> results;
  std::mutex mutex;
  std::atomic<int> next{1};
  auto worker = [&] {
    for (int i = next++; i <= config.trials; i = next++) {
      TrialResult r = RunTrial(config.trial, i,
                               config.out_dir + "/trials/" + TrialDirName(i));
      std::lock_guard<std::mutex> lock(mutex);
      results.push_back(std::move(r));
      progress(ProgressLine(results.back(), config.trials));
    }
  };
  std::vector<std::thread> threads;
  int k = std::min(config.parallel, config.trials);
  for (int i = 0; i < k; ++i) threads.emplace_back(worker);
  for (std::thread& t : threads) t.join();
  std::sort(results.begin(), results.end(),
            [](const TrialResult& a, const TrialResult& b) { return a.index < b.index; });
  RunSummary summary;
  WriteFileAtomic(config.out_dir + "/summary.json",
                  SummaryJson(config, results, &summary) + "\n");
  return summary;
}

}  // namespace redline
