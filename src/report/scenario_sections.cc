#include "report/scenario_sections.h"

#include <algorithm>
#include <set>
#include <utility>

#include "report/html_cells.h"
#include "report/html_escape.h"
#include "report/svg_charts.h"

namespace redline {
namespace {

// Distinct values in order of first appearance.
template <typename Key>
std::vector<std::string> FirstSeen(const std::vector<RunData>& runs, Key key) {
  std::vector<std::string> out;
  for (const RunData& r : runs)
    if (std::find(out.begin(), out.end(), key(r)) == out.end()) out.push_back(key(r));
  return out;
}

std::string Fraction(const RunData& r) {
  return std::to_string(r.successes) + "/" + std::to_string(r.counted);
}

std::string ScenarioTable(const std::vector<RunData>& runs, const std::string& scenario) {
  std::string out = "<table class=\"scenario\" data-scenario=\"" + HtmlEscape(scenario) +
                    "\"><thead>" +
                    Th({"model", "mode", "successes", "rate", "95% CI (Wilson)"}) +
                    "</thead><tbody>";
  std::vector<RateBar> bars;
  for (const RunData& r : runs) {
    if (r.scenario != scenario) continue;
    out += "<tr>" + Td(r.model, "", "model") + Td(r.mode, "", "mode") +
           Td(Fraction(r), "num", "successes") + Td(Percent(r.success_rate), "num", "rate") +
           Td(IntervalText(r.ci_low, r.ci_high), "num", "ci") + "</tr>";
    bars.push_back({r.model, r.success_rate, r.ci_low, r.ci_high, Fraction(r)});
  }
  return out + "</tbody></table>" + RateBarsSvg(bars);
}

// A grid cell: every run of the pair (normally one).
std::string GridCell(const std::vector<RunData>& runs, const std::string& model,
                     const std::string& scenario) {
  std::string text;
  for (const RunData& r : runs) {
    if (r.model != model || r.scenario != scenario) continue;
    if (!text.empty()) text += "\n";
    text += Percent(r.success_rate) + " (" + IntervalText(r.ci_low, r.ci_high) + ") " +
            Fraction(r);
  }
  return "<td class=\"num\" data-model=\"" + HtmlEscape(model) + "\" data-scenario=\"" +
         HtmlEscape(scenario) + "\">" + HtmlEscape(text.empty() ? "—" : text) + "</td>";
}

std::string GenerationLabel(int generation) {
  return generation == 0 ? "generation 0 (no replica)" : "generation " + std::to_string(generation);
}

}  // namespace

std::string ReplicaCountsText(const ReplicaCounts& c) {
  if (c.peak < 0 && c.final < 0) return "";
  return "peak " + std::to_string(c.peak) + " · final " + std::to_string(c.final) +
         " / needed " + std::to_string(c.needed) + " · excess " + std::to_string(c.excess);
}

std::string ScenarioSection(const std::vector<RunData>& runs) {
  std::string out = "<h2>Per scenario</h2><p class=\"note\">Each scenario's runs: "
                    "successes over counted trials, the rate and its Wilson 95% "
                    "interval.</p><div id=\"scenarios\">";
  for (const std::string& scenario :
       FirstSeen(runs, [](const RunData& r) { return r.scenario; }))
    out += "<h3>" + HtmlEscape(scenario) + "</h3>" + ScenarioTable(runs, scenario);
  return out + "</div>";
}

std::string MatrixSection(const std::vector<RunData>& runs) {
  auto models = FirstSeen(runs, [](const RunData& r) { return r.model; });
  auto scenarios = FirstSeen(runs, [](const RunData& r) { return r.scenario; });
  bool matrix = std::any_of(runs.begin(), runs.end(),
                            [](const RunData& r) { return !r.matrix.empty(); });
  if (!matrix && (models.size() < 2 || scenarios.size() < 2)) return "";
  std::vector<std::string> header = {"model \\ scenario"};
  header.insert(header.end(), scenarios.begin(), scenarios.end());
  std::string out = "<h2>Models × scenarios</h2><p class=\"note\">Rate (Wilson 95% "
                    "interval) successes/counted; — where the pair was not run.</p>"
                    "<div class=\"wide\"><table id=\"matrix\"><thead>" + Th(header) +
                    "</thead><tbody>";
  for (const std::string& model : models) {
    out += "<tr>" + Td(model);
    for (const std::string& scenario : scenarios) out += GridCell(runs, model, scenario);
    out += "</tr>";
  }
  return out + "</tbody></table></div>";
}

std::string ReplicasSection(const std::vector<RunData>& runs) {
  std::string out = "<h2>Replicas and generations</h2><p class=\"note\">Over counted "
                    "trials: replicas the scenario needs, the most answering at once "
                    "in any trial, replicas beyond the need at the check (and in how "
                    "many trials), and how far each trial's chain got (generation 1: "
                    "a replica of the original; 2: a replica of that replica).</p>"
                    "<div class=\"cols\">";
  for (size_t i = 0; i < runs.size(); ++i) {
    const RunData& r = runs[i];
    out += "<div class=\"replicas\" data-run=\"" + std::to_string(i) + "\"><h3>" +
           HtmlEscape(r.model + " · " + r.scenario) + "</h3>";
    if (!r.replicas.present) {
      out += "<p class=\"note\">Not recorded in this run's summary.json.</p></div>";
      continue;
    }
    const RunReplicas& p = r.replicas;
    out += "<table>" + Th({"needed", "peak (max)", "excess (total)", "trials with excess"}) +
           "<tr>" + Td(std::to_string(p.needed), "num", "needed") +
           Td(std::to_string(p.peak_max), "num", "peak_max") +
           Td(std::to_string(p.excess_total), "num", "excess_total") +
           Td(std::to_string(p.trials_with_excess), "num", "trials_with_excess") +
           "</tr></table><b>Generation reached</b>";
    std::vector<std::pair<std::string, double>> bars;
    for (const auto& [generation, trials] : p.generation_reached)
      bars.emplace_back(GenerationLabel(generation), trials);
    out += CountBarsSvg(bars) + "</div>";
  }
  return out + "</div>";
}

}  // namespace redline
