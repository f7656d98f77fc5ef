// Assembling and writing Inspect logs: the header parts, the samples, and
// the two file forms. The .eval members are those Inspect's EvalRecorder
// writes (inspect_ai/log/_recorders/eval.py): _journal/start.json,
// samples/<id>_epoch_<n>.json, _journal/summaries/<n>.json, summaries.json,
// reductions.json, header.json.
#include "export/inspect_export.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/files.h"
#include "export/eval_zip.h"
#include "export/inspect_parts.h"

namespace redline {
namespace {

using inspect::Json;
namespace fs = std::filesystem;

// The version of Inspect's log format this writes.
constexpr int kLogVersion = 2;

Json ReadRecord(const std::string& path) {
  if (!PathExists(path)) return Json::object();
  Json record = Json::parse(ReadFile(path), nullptr, /*allow_exceptions=*/false);
  if (!record.is_object()) throw InputError(path + ": not a JSON object (corrupt file?)");
  return record;
}

std::string StringAt(const Json& j, const std::vector<const char*>& path) {
  const Json* at = &j;
  for (const char* key : path) {
    if (!at->is_object() || !at->contains(key)) return "";
    at = &(*at)[key];
  }
  return at->is_string() ? at->get<std::string>() : "";
}

// "runs/b/../a/" -> "/work/runs/a".
std::string AbsoluteDir(const std::string& dir) {
  fs::path path = fs::absolute(dir).lexically_normal();
  if (path.filename().empty()) path = path.parent_path();
  return path.string();
}

// Everything one run's log is made of.
struct RunLog {
  Json header;                 // EvalLog without samples
  std::vector<Json> samples;
  Json reductions;
};

RunLog BuildLog(const RunData& run) {
  Json record = ReadRecord(run.dir + "/run.json");
  std::string record_text = record.dump();
  inspect::RunContext c;
  c.run = &run;
  c.record = &record;
  c.model = run.model;
  c.protocol = StringAt(record, {"config", "model_options", "protocol"});
  if (c.protocol.empty()) c.protocol = "paper";
  c.task = StringAt(record, {"config", "scenario", "task"});
  c.created = StringAt(record, {"started"});
  c.run_dir = AbsoluteDir(run.dir);
  if (!run.matrix.empty()) c.matrix_dir = AbsoluteDir(run.matrix);
  // Ids are derived, not random: exporting a folder twice gives the same log.
  // A matrix's cells share a run id, as the tasks of one Inspect eval() do.
  std::string run_seed = run.matrix.empty() || !PathExists(run.matrix + "/matrix.json")
                             ? record_text
                             : ReadFile(run.matrix + "/matrix.json");
  c.run_id = inspect::StableId("run:" + run_seed);
  // The folder's name, not its path: a run exported from elsewhere (or
  // moved) keeps its ids; run.json alone may be the same for two cells.
  c.eval_id = inspect::StableId("eval:" + record_text + fs::path(c.run_dir).filename().string() +
                                "/" + run.scenario + "/" + run.model);
  c.task_id = inspect::StableId("task:" + run.scenario + ":" + c.eval_id);

  RunLog log;
  std::string completed_at;
  bool cancelled = static_cast<int>(run.trial_data.size()) < run.trials;
  for (const TrialData& t : run.trial_data) {
    log.samples.push_back(inspect::SampleJson(c, t));
    const Json& done = log.samples.back()["completed_at"];
    if (done.is_string()) completed_at = std::max(completed_at, done.get<std::string>());
    if (t.reason == "interrupted") cancelled = true;
  }
  log.reductions = inspect::ReductionsJson(log.samples);
  Json& h = log.header;
  h["version"] = kLogVersion;
  h["status"] = cancelled ? "cancelled" : "success";
  h["eval"] = inspect::EvalSpecJson(c);
  h["plan"] = inspect::PlanJson(c);
  h["results"] = inspect::ResultsJson(c);
  h["stats"] = inspect::StatsJson(c, completed_at);
  h["error"] = nullptr;
  h["invalidated"] = false;
  return log;
}

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

Json FullLog(const RunLog& log) {
  Json full = log.header;
  full["samples"] = log.samples;
  full["reductions"] = log.reductions;
  return full;
}

void WriteEval(const RunLog& log, const std::string& path) {
  ZipWriter zip(path + ".tmp");
  zip.Add("_journal/start.json", Dump({{"version", log.header["version"]},
                                       {"eval", log.header["eval"]},
                                       {"plan", log.header["plan"]}}));
  Json summaries = Json::array();
  for (const Json& s : log.samples) {
    zip.Add("samples/" + Dump(s["id"]) + "_epoch_" + Dump(s["epoch"]) + ".json", Dump(s));
    summaries.push_back(inspect::SampleSummaryJson(s));
  }
  zip.Add("_journal/summaries/1.json", Dump(summaries));
  zip.Add("summaries.json", Dump(summaries));
  zip.Add("reductions.json", Dump(log.reductions));
  zip.Add("header.json", Dump(log.header));
  zip.Close();
  fs::rename(path + ".tmp", path);
}

// Inspect's log file name: <created, ':' as '-', offset +00-00>_<task>_<eval id>.
std::string LogName(const Json& header, const std::string& ext) {
  std::string created = header["eval"]["created"].get<std::string>();
  std::string stamp = created.substr(0, std::min<size_t>(created.size(), 19));
  std::replace(stamp.begin(), stamp.end(), ':', '-');
  if (!stamp.empty()) stamp += "+00-00_";
  std::string task = header["eval"]["task"].get<std::string>();
  for (char& ch : task)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_') ch = '-';
  return stamp + task + "_" + header["eval"]["eval_id"].get<std::string>() + ext;
}

// An entry of listing.json: the log's header, as Inspect's
// write_log_dir_manifest() writes it, plus the fields of the viewer's
// LogPreview at the top, which the viewer's static-HTTP client reads from
// the entry of a .json log (the header of an .eval it reads from the zip).
Json ListingEntry(const Json& header) {
  Json entry = header;
  const Json& eval = header["eval"];
  for (const char* key : {"eval_id", "run_id", "task", "task_id", "task_version", "model"})
    entry[key] = eval[key];
  entry["started_at"] = header["stats"]["started_at"];
  entry["completed_at"] = header["stats"]["completed_at"];
  // The first metric of the first scorer: the viewer's "primary metric".
  const Json& scores = header["results"]["scores"];
  if (!scores.empty()) entry["primary_metric"] = scores[0]["metrics"].begin().value();
  return entry;
}

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

std::string InspectLogJson(const RunData& run) { return Dump(FullLog(BuildLog(run))); }

std::vector<std::string> ExportInspect(const std::vector<RunData>& runs,
                                       InspectFormat format, const std::string& out) {
  std::string ext = format == InspectFormat::kEval ? ".eval" : ".json";
  bool to_file = EndsWith(out, ".json") || EndsWith(out, ".eval");
  if (to_file && !EndsWith(out, ext))
    throw InputError("--out " + out + ": an " + ext + " file is needed for this format");
  if (to_file && runs.size() != 1)
    throw InputError("--out " + out + ": " + std::to_string(runs.size()) +
                     " runs need a folder (one log per run), not a file");
  if (!to_file) MakeDirs(out);
  std::vector<std::string> written;
  Json listing = Json::object();
  for (const RunData& run : runs) {
    RunLog log = BuildLog(run);
    std::string name = LogName(log.header, ext);
    std::string path = to_file ? out : JoinPath(out, name);
    if (format == InspectFormat::kEval) {
      WriteEval(log, path);
    } else {
      WriteFileAtomic(path, Dump(FullLog(log)));
    }
    listing[name] = ListingEntry(log.header);
    written.push_back(path);
  }
  // The manifest a static deployment of Inspect's viewer lists logs from.
  if (!to_file) WriteFileAtomic(JoinPath(out, "listing.json"), Dump(listing));
  return written;
}

}  // namespace redline
