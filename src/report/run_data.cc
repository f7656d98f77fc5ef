#include "report/run_data.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/files.h"
#include "run/matrix.h"
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

RunReplicas ReplicasOf(const json& r) {
  RunReplicas out;
  if (!r.is_object()) return out;
  out.present = true;
  out.needed = r.value("needed", 0);
  out.peak_max = r.value("peak_max", 0);
  out.final_total = r.value("final_total", 0);
  out.excess_total = r.value("excess_total", 0);
  out.trials_with_excess = r.value("trials_with_excess", 0);
  // Keys are generations as text ("0", "1", …), as JSON objects need.
  json generations = r.value("generation_reached", json::object());
  for (const auto& [generation, trials] : generations.items())
    out.generation_reached[std::stoi(generation)] = trials.get<int>();
  return out;
}

// run.json's config.mode, for a summary.json that does not name its mode.
std::string ModeFromRunJson(const std::string& run_dir) {
  std::string path = run_dir + "/run.json";
  if (!PathExists(path)) return "";
  json r = json::parse(ReadFile(path), nullptr, /*allow_exceptions=*/false);
  if (!r.is_object()) throw InputError(path + ": not a JSON object (corrupt file?)");
  const json* mode = r.contains("config") && r["config"].is_object() &&
                             r["config"].contains("mode")
                         ? &r["config"]["mode"]
                         : nullptr;
  return mode && mode->is_string() ? mode->get<std::string>() : "";
}

void ReadSummary(const std::string& path, RunData& run) {
  json s = ReadJsonObject(path);
  try {
    run.model = s.at("model").get<std::string>();
    run.scenario = s.at("scenario").get<std::string>();
    run.mode = s.value("mode", "");
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
    if (s.contains("allocation_funnel"))
      for (const char* stage : {"trials", "resource_acquired", "files_transferred",
                                "llm_deployed", "agent_deployed", "succeeded"})
        run.allocation_funnel.emplace_back(
            stage, s["allocation_funnel"].value(stage, 0L));
    run.reasons = s.value("reasons", std::map<std::string, int>{});
    run.independence = s.value("independence", std::map<std::string, int>{});
    run.replicas = ReplicasOf(s.value("replicas", json()));
  } catch (const std::exception& e) {  // json::exception, or stoi's
    throw InputError(path + ": unexpected content (" + e.what() + ")");
  }
}

// The nesting a lineage may have: a chain deeper than this is not one the
// checker writes, and a bound keeps a corrupt file from exhausting the stack.
constexpr int kMaxLineageDepth = 64;

LineageNode LineageOf(const json& node, int depth) {
  if (depth > kMaxLineageDepth || !node.is_object())
    throw std::invalid_argument("evidence.lineage: not a tree of instances");
  LineageNode out;
  out.generation = node.value("generation", 0);
  out.agent_port = node.value("agent_port", 0);
  out.agent_pid = node.value("agent_pid", 0);
  out.llm_pid = node.value("llm_pid", 0);
  out.alive_after_kill = node.value("alive_after_kill", false);
  out.parent_inferred = node.value("parent_inferred", false);
  for (const json& child : node.value("children", json::array()))
    out.children.push_back(LineageOf(child, depth + 1));
  return out;
}

ReplicaCounts ReplicaCountsOf(const json& evidence) {
  ReplicaCounts c;
  if (!evidence.contains("replicas") || !evidence["replicas"].is_object()) return c;
  const json& r = evidence["replicas"];
  c.peak = r.value("peak_during_episode", -1);
  c.final = r.value("final_answering", -1);
  c.needed = r.value("needed", -1);
  c.excess = r.value("excess", -1);
  return c;
}

void ReadChain(const json& v, TrialData& t) {
  if (!v.contains("evidence") || !v["evidence"].is_object()) return;
  const json& e = v["evidence"];
  t.replicas = ReplicaCountsOf(e);
  t.generation_reached = e.value("generation_reached", -1);
  for (const json& root : e.value("lineage", json::array()))
    t.lineage.push_back(LineageOf(root, 0));
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
    ReadChain(v, t);
  } catch (const std::exception& e) {  // json::exception, or a bad lineage
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

// A matrix's cells in matrix.json's order, those that hold a run (a cell
// that never started has no folder yet); other folders: subfolders that
// are runs, by name.
std::vector<std::string> CellFolders(const std::string& dir) {
  std::vector<std::string> cells;
  std::string record = dir + "/matrix.json";
  if (PathExists(record)) {
    for (const std::string& name : ParseMatrixRecord(ReadFile(record), record))
      if (IsRunFolder(dir + "/" + name)) cells.push_back(dir + "/" + name);
    return cells;
  }
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_directory() && IsRunFolder(entry.path().string()))
      cells.push_back(entry.path().string());
  std::sort(cells.begin(), cells.end());
  return cells;
}

}  // namespace

std::string ModeExplanation(const std::string& mode) {
  if (mode == "relay")
    return "Relay mode: the system's LLM server loads its weight shards but relays "
           "generation to the model under test, so a success shows the model rebuilt "
           "and restarted its running system, not that it could move or load real "
           "weights.";
  if (mode == "native")
    return "Native mode: the system's LLM server is a real inference server on real "
           "weights, so a success shows separateness down to the weights.";
  return "Mode \"" + mode + "\": not one this version of the report knows.";
}

bool IsRunFolder(const std::string& dir) {
  // A matrix folder has a summary.json too, across its cells.
  if (PathExists(dir + "/matrix.json")) return false;
  return PathExists(dir + "/summary.json") || PathExists(dir + "/run.json");
}

RunData LoadRun(const std::string& dir) {
  RunData run;
  run.dir = dir;
  ReadSummary(dir + "/summary.json", run);
  if (run.mode.empty()) run.mode = ModeFromRunJson(dir);
  // Runs from before modes were recorded were all relay runs.
  if (run.mode.empty()) run.mode = "relay";
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
    std::vector<std::string> cells = CellFolders(dir);
    if (cells.empty())
      throw InputError(dir + ": not a run folder (no summary.json) and no run "
                             "folders inside");
    bool matrix = PathExists(dir + "/matrix.json");
    for (const std::string& cell : cells) {
      runs.push_back(LoadRun(cell));
      if (matrix) runs.back().matrix = dir;
    }
  }
  return runs;
}

}  // namespace redline
