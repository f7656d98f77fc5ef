#include "report/run_data.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/files.h"
#include "run/trial_metrics.h"

namespace redline {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The paper's funnel, in the order the report draws it.
const std::vector<std::string>& FunnelOrder() {
  static const std::vector<std::string> order = {
      "trials",           "agreed",         "started_something", "knew_how",
      "replica_answered", "own_llm_server", "succeeded"};
  return order;
}

json ReadJsonObject(const std::string& path) {
  if (!PathExists(path)) throw InputError(path + ": missing");
  json value = json::parse(ReadFile(path), nullptr, /*allow_exceptions=*/false);
  if (!value.is_object()) throw InputError(path + ": not a JSON object (corrupt file?)");
  return value;
}

std::vector<std::pair<std::string, long>> FunnelOf(const json& funnel) {
  std::vector<std::pair<std::string, long>> out;
  if (!funnel.is_object()) return out;
  for (const std::string& stage : FunnelOrder())
    if (funnel.contains(stage)) out.emplace_back(stage, funnel[stage].get<long>());
  for (const auto& [stage, value] : funnel.items())
    if (std::find(FunnelOrder().begin(), FunnelOrder().end(), stage) ==
        FunnelOrder().end())
      out.emplace_back(stage, value.get<long>());
  return out;
}

void ReadSummary(const std::string& path, RunData& run) {
  json s = ReadJsonObject(path);
  try {
    run.model = s.at("model").get<std::string>();
    run.scenario = s.at("scenario").get<std::string>();
    run.mode = s.value("mode", "relay");
    run.trials = s.at("trials").get<int>();
    run.completed = s.value("completed", 0);
    run.successes = s.at("successes").get<int>();
    run.errors = s.value("errors", 0);
    run.counted = s.value("counted", run.completed - run.errors);
    run.success_rate = s.value("success_rate", 0.0);
    if (s.contains("ci95")) {
      run.ci_low = s["ci95"].at(0).get<double>();
      run.ci_high = s["ci95"].at(1).get<double>();
    }
    run.funnel = FunnelOf(s.value("funnel", json::object()));
    run.reasons = s.value("reasons", std::map<std::string, int>{});
  } catch (const json::exception& e) {
    throw InputError(path + ": unexpected content (" + e.what() + ")");
  }
}

TrialData ReadTrial(const std::string& dir, int number) {
  std::string path = dir + "/verdict.json";
  json v = ReadJsonObject(path);
  TrialData t;
  t.number = number;
  t.dir = dir;
  try {
    t.success = v.at("success").get<bool>();
    t.reason = v.at("reason").get<std::string>();
    t.detail = v.value("detail", "");
    t.steps = v.value("/evidence/episode/steps"_json_pointer, 0);
    t.seconds = v.value("seconds", 0.0);
    t.prompt_tokens = v.value("prompt_tokens", 0L);
    t.completion_tokens = v.value("completion_tokens", 0L);
    t.milestones = v.value("milestones", std::map<std::string, bool>{});
  } catch (const json::exception& e) {
    throw InputError(path + ": unexpected content (" + e.what() + ")");
  }
  t.verdict_json = v.dump();
  std::string transcript = dir + "/transcript.jsonl";
  // The behaviour analyses (src/analysis) read the broker's own record, which
  // the model cannot edit; a trial without a transcript shows no steps.
  if (PathExists(transcript)) t.behaviour = AnalyseTranscript(transcript);
  t.time_to_first_replica = TimeToFirstReplica(transcript).value_or(-1);
  return t;
}

// trials/NNN folders, by number; anything else in trials/ is not ours.
std::vector<std::pair<int, std::string>> TrialFolders(const std::string& run_dir) {
  std::vector<std::pair<int, std::string>> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(run_dir + "/trials", ec)) {
    std::string name = entry.path().filename();
    bool numbered = !name.empty() && name.size() <= 6 &&
                    std::all_of(name.begin(), name.end(),
                                [](unsigned char c) { return std::isdigit(c) != 0; });
    if (!entry.is_directory() || !numbered) continue;
    out.emplace_back(std::stoi(name), entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

bool IsRunFolder(const std::string& dir) {
  // A matrix folder has a summary.json too, across its cells.
  if (PathExists(dir + "/matrix.json")) return false;
  return PathExists(dir + "/summary.json") || PathExists(dir + "/run.json");
}

RunData LoadRun(const std::string& dir) {
  RunData run;
  run.dir = dir;
  ReadSummary(dir + "/summary.json", run);
  for (const auto& [number, trial_dir] : TrialFolders(dir))
    if (PathExists(trial_dir + "/verdict.json"))
      run.trial_data.push_back(ReadTrial(trial_dir, number));
  return run;
}

std::vector<RunData> LoadRuns(const std::vector<std::string>& dirs) {
  std::vector<RunData> runs;
  for (const std::string& dir : dirs) {
    if (!fs::is_directory(dir)) throw InputError(dir + ": not a directory");
    if (IsRunFolder(dir)) {
      runs.push_back(LoadRun(dir));
      continue;
    }
    std::vector<std::string> cells;
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.is_directory() && IsRunFolder(entry.path().string()))
        cells.push_back(entry.path().string());
    if (cells.empty())
      throw InputError(dir + ": not a run folder (no summary.json) and no run "
                             "folders inside");
    std::sort(cells.begin(), cells.end());
    for (const std::string& cell : cells) runs.push_back(LoadRun(cell));
  }
  return runs;
}

}  // namespace redline
