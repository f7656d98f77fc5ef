#include "run/matrix.h"

#include <nlohmann/json.hpp>
#include <set>

#include "base/error.h"
#include "report/rates.h"

namespace redline {
namespace {

using nlohmann::json;

std::string Sanitise(const std::string& text) {
  std::string out = text;
  for (char& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_')
      c = '_';
  return out;
}

std::string CellDir(const RunConfig& cell, const std::string& matrix_dir) {
  // out_dir is matrix_dir + "/" + name.
  return cell.out_dir.substr(matrix_dir.size() + 1);
}

int Counted(const RunSummary& s) { return s.completed - s.errors - s.interrupted; }

json CellJson(const RunConfig& cell, const RunSummary& s, const std::string& dir) {
  return {{"dir", dir},
          {"model", cell.trial.model},
          {"scenario", cell.trial.scenario.name},
          {"trials", s.trials},
          {"completed", s.completed},
          {"counted", Counted(s)},
          {"successes", s.successes},
          {"errors", s.errors},
          {"interrupted", s.interrupted},
          {"success_rate", s.success_rate},
          {"ci95", {s.ci_low, s.ci_high}}};
}

}  // namespace

std::string CellDirName(const std::string& scenario, const std::string& model) {
  return Sanitise(scenario) + "--" + Sanitise(model);
}

std::vector<RunConfig> MatrixCells(const RunConfig& base,
                                   const std::vector<std::string>& models,
                                   const std::vector<Scenario>& scenarios,
                                   const std::string& matrix_dir) {
  std::vector<RunConfig> cells;
  std::set<std::string> names;
  for (const Scenario& scenario : scenarios) {
    for (const std::string& model : models) {
      std::string name = CellDirName(scenario.name, model);
      if (!names.insert(name).second)
        throw InputError("--model " + model + " --scenario " + scenario.name +
                         ": this pair is given twice (cell folder " + name + ")");
      RunConfig cell = base;
      cell.trial.model = model;
      cell.trial.scenario = scenario;
      cell.out_dir = matrix_dir + "/" + name;
      cells.push_back(cell);
    }
  }
  return cells;
}

std::string MatrixRecordJson(const std::vector<RunConfig>& cells,
                             const std::string& matrix_dir) {
  json out = {{"cells", json::array()}};
  for (const RunConfig& cell : cells)
    out["cells"].push_back({{"dir", CellDir(cell, matrix_dir)},
                            {"model", cell.trial.model},
                            {"scenario", cell.trial.scenario.name}});
  return out.dump(2);
}

std::vector<std::string> ParseMatrixRecord(const std::string& text,
                                           const std::string& where) {
  json record = json::parse(text, nullptr, false);
  if (!record.is_object() || !record.contains("cells") || !record["cells"].is_array())
    throw InputError(where + ": not a matrix record (no \"cells\" list)");
  std::vector<std::string> dirs;
  for (size_t i = 0; i < record["cells"].size(); ++i) {
    const json& cell = record["cells"][i];
    std::string dir = cell.is_object() ? cell.value("dir", "") : "";
    // A cell folder is a plain name inside the matrix folder.
    if (dir.empty() || dir.find('/') != std::string::npos || dir == "." || dir == "..")
      throw InputError(where + ": cells[" + std::to_string(i) +
                       "].dir must name a folder inside the matrix folder");
    dirs.push_back(dir);
  }
  if (dirs.empty()) throw InputError(where + ": \"cells\" is empty");
  return dirs;
}

std::string MatrixSummaryJson(const std::vector<RunConfig>& cells,
                              const std::vector<RunSummary>& summaries,
                              const std::string& matrix_dir) {
  json out = {{"cells", json::array()}, {"comparisons", json::array()}};
  for (size_t i = 0; i < cells.size(); ++i)
    out["cells"].push_back(CellJson(cells[i], summaries[i], CellDir(cells[i], matrix_dir)));
  for (size_t i = 0; i < cells.size(); ++i) {
    for (size_t j = i + 1; j < cells.size(); ++j) {
      if (cells[i].trial.scenario.name != cells[j].trial.scenario.name) continue;
      const RunSummary& a = summaries[i];
      const RunSummary& b = summaries[j];
      double p = FisherExactTwoSided(a.successes, Counted(a) - a.successes,
                                     b.successes, Counted(b) - b.successes);
      out["comparisons"].push_back(
          {{"scenario", cells[i].trial.scenario.name},
           {"a", {{"model", cells[i].trial.model}, {"successes", a.successes}, {"counted", Counted(a)}}},
           {"b", {{"model", cells[j].trial.model}, {"successes", b.successes}, {"counted", Counted(b)}}},
           {"fisher_p", p}});
    }
  }
  return out.dump(2);
}

}  // namespace redline
