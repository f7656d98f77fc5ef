#include "report/report_tables.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "report/rates.h"

namespace redline {
namespace {

RunRow RowOf(const RunData& run) {
  RunRow r;
  r.dir = run.dir;
  r.model = run.model;
  r.scenario = run.scenario;
  r.mode = run.mode;
  r.replicas = run.replicas;
  r.funnel = run.funnel;
  r.allocation_funnel = run.allocation_funnel;
  r.trials = run.trials;
  r.counted = run.counted;
  r.successes = run.successes;
  r.errors = run.errors;
  r.rate = run.success_rate;
  r.ci_low = run.ci_low;
  r.ci_high = run.ci_high;
  for (const auto& [reason, count] : run.reasons)
    if (count > 0) r.reasons[reason] = count;
  for (const auto& [level, count] : run.independence)
    if (count > 0) r.independence[level] = count;
  return r;
}

// Fixed precision so that text output is stable and diffable.
std::string Num(double value, int digits = 4) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string MdCell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}

template <typename Cell>
std::string Line(const std::vector<std::string>& cells, Cell cell, bool md) {
  std::string out = md ? "| " : "";
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i) out += md ? " | " : ",";
    out += cell(cells[i]);
  }
  return out + (md ? " |\n" : "\n");
}

// A replica count, blank for a summary from before they were recorded.
std::string Count(bool present, int n) { return present ? std::to_string(n) : ""; }

std::vector<std::vector<std::string>> RunCells(const ReportTables& t) {
  std::vector<std::vector<std::string>> rows;
  for (const RunRow& r : t.runs)
    rows.push_back({r.model, r.scenario, std::to_string(r.trials),
                    std::to_string(r.counted), std::to_string(r.successes),
                    Num(r.rate), Num(r.ci_low), Num(r.ci_high),
                    std::to_string(r.errors), ReasonsText(r.reasons), r.mode,
                    Count(r.replicas.present, r.replicas.peak_max),
                    Count(r.replicas.present, r.replicas.excess_total),
                    Count(r.replicas.present, r.replicas.trials_with_excess),
                    ReasonsText(r.independence), r.dir, FunnelText(r.funnel),
                    FunnelText(r.allocation_funnel)});
  return rows;
}

std::vector<std::vector<std::string>> PairCells(const ReportTables& t) {
  std::vector<std::vector<std::string>> rows;
  for (const PairRow& p : t.pairs)
    rows.push_back({p.scenario, p.model_a,
                    std::to_string(p.successes_a) + "/" + std::to_string(p.counted_a),
                    p.model_b,
                    std::to_string(p.successes_b) + "/" + std::to_string(p.counted_b),
                    PValueText(p.fisher_p)});
  return rows;
}

const std::vector<std::string> kRunHeader = {
    "model", "scenario", "trials", "counted", "successes", "rate",
    "ci_low", "ci_high", "errors", "reasons", "mode", "peak_replicas",
    "excess_replicas", "trials_with_excess", "independence", "dir", "funnel",
    "allocation_funnel"};
const std::vector<std::string> kPairHeader = {
    "scenario", "model_a", "a_successes", "model_b", "b_successes", "fisher_p"};

template <typename Cell>
std::string Table(const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows, Cell cell,
                  bool md) {
  std::string out = Line(header, cell, md);
  if (md) out += Line(std::vector<std::string>(header.size(), "---"), cell, md);
  for (const auto& row : rows) out += Line(row, cell, md);
  return out;
}

// Ordered: keys in the order the tables and docs give them.
using OrderedJson = nlohmann::ordered_json;

OrderedJson ReplicasJson(const RunReplicas& p) {
  if (!p.present) return nullptr;
  OrderedJson generations = OrderedJson::object();
  for (const auto& [generation, trials] : p.generation_reached)
    generations[std::to_string(generation)] = trials;
  return {{"needed", p.needed}, {"peak_max", p.peak_max}, {"final_total", p.final_total},
          {"excess_total", p.excess_total}, {"trials_with_excess", p.trials_with_excess},
          {"generation_reached", generations}};
}

// {"trials": 10, "agreed": 9, ...}; null for a funnel the summary lacks.
OrderedJson FunnelJson(const std::vector<std::pair<std::string, long>>& stages) {
  if (stages.empty()) return nullptr;
  OrderedJson out = OrderedJson::object();
  for (const auto& [stage, trials] : stages) out[stage] = trials;
  return out;
}

}  // namespace

std::string FunnelText(const std::vector<std::pair<std::string, long>>& stages) {
  std::string out;
  for (const auto& [stage, trials] : stages)
    out += (out.empty() ? "" : " > ") + stage + "=" + std::to_string(trials);
  return out;
}

std::string ReasonsText(const std::map<std::string, int>& reasons) {
  std::vector<std::pair<std::string, int>> sorted(reasons.begin(), reasons.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string out;
  for (const auto& [reason, count] : sorted) {
    if (count <= 0) continue;
    if (!out.empty()) out += "; ";
    out += reason + "=" + std::to_string(count);
  }
  return out;
}

ReportTables BuildTables(const std::vector<RunData>& runs) {
  ReportTables t;
  for (const RunData& run : runs) t.runs.push_back(RowOf(run));
  for (size_t i = 0; i < runs.size(); ++i)
    for (size_t j = i + 1; j < runs.size(); ++j) {
      const RunData& a = runs[i];
      const RunData& b = runs[j];
      if (a.scenario != b.scenario || a.model == b.model) continue;
      PairRow p{a.scenario, a.model, b.model, a.successes, a.counted,
                b.successes, b.counted};
      p.fisher_p = FisherExactTwoSided(a.successes, a.counted - a.successes,
                                       b.successes, b.counted - b.successes);
      t.pairs.push_back(p);
    }
  return t;
}

std::string TablesJson(const ReportTables& t) {
  OrderedJson runs = OrderedJson::array(), pairs = OrderedJson::array();
  for (const RunRow& r : t.runs)
    runs.push_back({{"dir", r.dir}, {"model", r.model}, {"scenario", r.scenario},
                    {"trials", r.trials}, {"counted", r.counted},
                    {"successes", r.successes}, {"rate", r.rate},
                    {"ci95", {r.ci_low, r.ci_high}}, {"errors", r.errors},
                    {"reasons", r.reasons}, {"mode", r.mode},
                    {"independence", r.independence},
                    {"replicas", ReplicasJson(r.replicas)},
                    {"funnel", FunnelJson(r.funnel)},
                    {"allocation_funnel", FunnelJson(r.allocation_funnel)}});
  for (const PairRow& p : t.pairs)
    pairs.push_back({{"scenario", p.scenario}, {"model_a", p.model_a},
                     {"successes_a", p.successes_a}, {"counted_a", p.counted_a},
                     {"model_b", p.model_b}, {"successes_b", p.successes_b},
                     {"counted_b", p.counted_b}, {"fisher_p", p.fisher_p}});
  return OrderedJson{{"runs", runs}, {"pairs", pairs}}.dump(2) + "\n";
}

std::string TablesCsv(const ReportTables& t) {
  return Table(kRunHeader, RunCells(t), CsvField, false) + "\n" +
         Table(kPairHeader, PairCells(t), CsvField, false);
}

std::string TablesMarkdown(const ReportTables& t) {
  std::string out = "## Runs\n\n" + Table(kRunHeader, RunCells(t), MdCell, true);
  out += "\n## Model pairs (Fisher's exact test, two-sided)\n\n";
  if (t.pairs.empty()) return out + "No two models on one scenario.\n";
  return out + Table(kPairHeader, PairCells(t), MdCell, true);
}

}  // namespace redline
