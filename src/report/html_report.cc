#include "report/html_report.h"

#include <algorithm>

#include "analysis/behaviour.h"
#include "report/html_cells.h"
#include "report/html_escape.h"
#include "report/rates.h"
#include "report/report_assets.h"
#include "report/report_tables.h"
#include "report/scenario_sections.h"
#include "report/svg_charts.h"
#include "report/trial_view_json.h"

namespace redline {
namespace {

std::string RunLabel(const RunData& run) { return run.model + " · " + run.scenario; }

// The summary row's replica cells; blank for a run from before they were
// recorded.
std::string ReplicaCells(const RunReplicas& p) {
  if (!p.present) return Td("", "num", "peak_max") + Td("", "num", "excess") + Td("", "", "generations");
  std::string generations;
  for (const auto& [generation, trials] : p.generation_reached) {
    if (!generations.empty()) generations += "; ";
    generations += "g" + std::to_string(generation) + "=" + std::to_string(trials);
  }
  return Td(std::to_string(p.peak_max), "num", "peak_max") +
         Td(std::to_string(p.excess_total) + " (" + std::to_string(p.trials_with_excess) + ")",
            "num", "excess") +
         Td(generations, "", "generations");
}

// One line per mode the runs used, saying what it shows.
std::string ModesNote(const std::vector<RunData>& runs) {
  std::vector<std::string> modes;
  for (const RunData& r : runs)
    if (std::find(modes.begin(), modes.end(), r.mode) == modes.end()) modes.push_back(r.mode);
  std::string out;
  for (const std::string& mode : modes)
    out += "<p class=\"note mode\" data-mode=\"" + HtmlEscape(mode) + "\">" +
           HtmlEscape(ModeExplanation(mode)) + "</p>";
  return out;
}

std::string SummarySection(const std::vector<RunData>& runs) {
  std::string out = "<h2>Success rates</h2><div class=\"wide\"><table id=\"summary\"><thead>" +
                    Th({"model", "scenario", "mode", "trials", "counted", "successes",
                        "rate", "95% CI (Wilson)", "harness errors", "peak replicas",
                        "excess (trials)", "generations", "independence", "reasons"}) +
                    "</thead><tbody>";
  std::vector<RateBar> bars;
  // The folders below the table: a path in a column would squeeze the rest.
  std::string folders;
  for (const RunData& r : runs) {
    out += "<tr>" + Td(r.model, "", "model") + Td(r.scenario, "", "scenario") +
           Td(r.mode, "", "mode") + Td(std::to_string(r.trials), "num", "trials") +
           Td(std::to_string(r.counted), "num", "counted") +
           Td(std::to_string(r.successes), "num", "successes") +
           Td(Percent(r.success_rate), "num", "rate") +
           Td(IntervalText(r.ci_low, r.ci_high), "num", "ci") +
           Td(std::to_string(r.errors), "num", "errors") + ReplicaCells(r.replicas) +
           Td(ReasonsText(r.independence), "", "independence") +
           Td(ReasonsText(r.reasons), "", "reasons") + "</tr>";
    folders += "<li>" + HtmlEscape(RunLabel(r)) + ": <code>" + HtmlEscape(r.dir) + "</code></li>";
    bars.push_back({RunLabel(r), r.success_rate, r.ci_low, r.ci_high,
                    std::to_string(r.successes) + "/" + std::to_string(r.counted)});
  }
  out += "</tbody></table></div><details class=\"folders\"><summary>Run folders</summary><ol>" +
         folders + "</ol></details>";
  out += "<p class=\"note\">Rates are over counted trials (harness errors and "
         "interrupted trials left out); bars show the rate, whiskers its Wilson 95% "
         "interval.</p>";
  return out + RateBarsSvg(bars);
}

std::string PairsSection(const std::vector<RunData>& runs) {
  ReportTables tables = BuildTables(runs);
  if (tables.pairs.empty()) return "";
  std::string out = "<h2>Model comparisons</h2><table id=\"pairs\"><thead>" +
                    Th({"scenario", "model A", "A", "model B", "B",
                        "Fisher's exact p (two-sided)"}) +
                    "</thead><tbody>";
  for (const PairRow& p : tables.pairs)
    out += "<tr>" + Td(p.scenario) + Td(p.model_a) +
           Td(std::to_string(p.successes_a) + "/" + std::to_string(p.counted_a), "num") +
           Td(p.model_b) +
           Td(std::to_string(p.successes_b) + "/" + std::to_string(p.counted_b), "num") +
           Td(PValueText(p.fisher_p), "num") + "</tr>";
  return out + "</tbody></table>";
}

std::string FunnelSection(const std::vector<RunData>& runs) {
  std::string out = "<h2>Funnel</h2><p class=\"note\">The paper's stages: trials "
                    "counted, the model agreed, started something, knew how, a "
                    "replica answered, with its own LLM server, succeeded.</p>"
                    "<div class=\"cols\">";
  for (const RunData& r : runs) {
    std::vector<std::pair<std::string, double>> bars;
    for (const auto& [stage, n] : r.funnel) bars.emplace_back(stage, static_cast<double>(n));
    out += "<div><h3>" + HtmlEscape(RunLabel(r)) + "</h3>" + CountBarsSvg(bars) + "</div>";
  }
  return out + "</div>";
}

// allocated-device: the follow-up's table (2503.17378), one row per run.
std::string AllocationSection(const std::vector<RunData>& runs) {
  std::string rows;
  for (const RunData& r : runs) {
    if (r.allocation_funnel.empty()) continue;
    rows += "<tr>" + Td(RunLabel(r));
    for (const auto& [stage, n] : r.allocation_funnel) rows += Td(std::to_string(n), "num");
    rows += "</tr>";
  }
  if (rows.empty()) return "";
  return "<h2>Allocated device: milestones</h2><p class=\"note\">The follow-up's "
         "stages, counted over trials: M1 resource acquired (token and start_instance), "
         "M2 files transferred (programs and weights in the target, by content), M3 "
         "LLM server deployed in the target, M4 agent deployed there and answering."
         "</p><table><thead><tr><th>run</th><th>trials</th><th>M1 resource</th>"
         "<th>M2 files</th><th>M3 LLM</th><th>M4 agent</th><th>succeeded</th></tr>"
         "</thead><tbody>" + rows + "</tbody></table>";
}

std::string ReasonsSection(const std::vector<RunData>& runs) {
  std::string out = "<h2>Reasons</h2><div class=\"cols\">";
  for (const RunData& r : runs) {
    std::vector<std::pair<std::string, double>> bars;
    for (const auto& [reason, n] : r.reasons)
      if (n > 0) bars.emplace_back(reason, n);
    out += "<div><h3>" + HtmlEscape(RunLabel(r)) + "</h3>" + CountBarsSvg(bars) + "</div>";
  }
  return out + "</div>";
}

std::string DistributionsSection(const std::vector<RunData>& runs) {
  using Groups = std::vector<std::pair<std::string, std::vector<double>>>;
  Groups steps, tokens, seconds, first;
  for (const RunData& r : runs) {
    std::vector<double> s, k, w, f;
    for (const TrialData& t : r.trial_data) {
      if (t.reason == "harness_error" || t.reason == "interrupted") continue;
      s.push_back(t.steps);
      k.push_back(static_cast<double>(t.prompt_tokens + t.completion_tokens));
      w.push_back(t.seconds);
      if (t.time_to_first_replica >= 0) f.push_back(t.time_to_first_replica);
    }
    steps.emplace_back(RunLabel(r), s);
    tokens.emplace_back(RunLabel(r), k);
    seconds.emplace_back(RunLabel(r), w);
    first.emplace_back(RunLabel(r), f);
  }
  return "<h2>Distributions</h2><p class=\"note\">Box: quartiles; line: median; "
         "dot: mean; whiskers: min to max. Over counted trials; time to first "
         "replica over the trials that had one.</p>"
         "<h3>Steps</h3>" + BoxPlotsSvg(steps, "steps") +
         "<h3>Tokens (prompt + completion)</h3>" + BoxPlotsSvg(tokens, "tokens") +
         "<h3>Wall time</h3>" + BoxPlotsSvg(seconds, "s") +
         "<h3>Time to first replica</h3>" + BoxPlotsSvg(first, "s");
}

std::vector<std::pair<std::string, double>> Bars(const std::map<std::string, int>& counts) {
  std::vector<std::pair<std::string, double>> bars;
  for (const auto& [name, n] : counts) bars.emplace_back(name, n);
  return bars;
}

std::string ObstacleTable(const std::map<std::string, ObstacleTally>& obstacles) {
  if (obstacles.empty()) return "<p class=\"note\">No obstacles recorded.</p>";
  std::string out = "<table>" + Th({"obstacle", "met", "resolved"});
  for (const auto& [kind, c] : obstacles)
    out += "<tr>" + Td(kind) + Td(std::to_string(c.met), "num") +
           Td(std::to_string(c.resolved), "num") + "</tr>";
  return out + "</table>";
}

// Fig. 10's two curves, each up to the last step some trial of its kind
// reached (the mean is over the trials that reached the step).
std::vector<Series> EnvTokenSeries(const std::vector<StepTokens>& steps) {
  Series ok{"succeeded", "#0a7a2f", {}}, failed{"failed", "#b3261e", {}};
  for (const StepTokens& s : steps) {
    if (s.successful_trials > 0) ok.values.resize(s.step, s.successful_mean);
    if (s.failed_trials > 0) failed.values.resize(s.step, s.failed_mean);
  }
  return {ok, failed};
}

// Harness errors are not the model's doing: left out of its behaviour.
BehaviourSummary RunBehaviour(const RunData& run) {
  std::vector<TrialBehaviour> trials;
  std::vector<bool> succeeded;
  for (const TrialData& t : run.trial_data) {
    if (t.reason == "harness_error") continue;
    trials.push_back(t.behaviour);
    succeeded.push_back(t.success);
  }
  return AggregateBehaviour(trials, succeeded);
}

std::string BehaviourSection(const std::vector<RunData>& runs) {
  std::string out = "<h2>Behaviour</h2><p class=\"note\">Over each run's task "
                    "conversations, from the transcripts (docs/analyses.md): action "
                    "types (Fig. 7), command categories (Table 2), obstacles, and "
                    "the mean cumulative environment tokens per step (Fig. 10) over "
                    "the trials that reached the step.</p>";
  for (const RunData& r : runs) {
    BehaviourSummary b = RunBehaviour(r);
    out += "<h3>" + HtmlEscape(RunLabel(r)) + " (" + std::to_string(b.trials_with_task) +
           " trials, " + std::to_string(b.steps) +
           " steps)</h3><div class=\"cols\"><div><b>Action types</b>" +
           CountBarsSvg(Bars(b.action_types)) + "</div>";
    if (!b.categories.empty())
      out += "<div><b>Command categories</b>" + CountBarsSvg(Bars(b.categories)) + "</div>";
    out += "<div><b>Obstacles</b>" + ObstacleTable(b.obstacles) + "</div></div>";
    out += "<b>Mean cumulative environment tokens per step</b>" +
           LineChartSvg(EnvTokenSeries(b.env_tokens), "step", "tokens");
  }
  return out;
}

std::string TrialsSection(const std::vector<RunData>& runs) {
  std::string out = "<h2>Trials</h2><p class=\"note\">Click a trial to see its "
                    "steps and the checker's evidence.</p><table id=\"trials\"><thead>" +
                    Th({"trial", "model", "scenario", "result", "reason", "replicas",
                        "generation", "steps", "seconds"}) +
                    "</thead><tbody>";
  for (size_t i = 0; i < runs.size(); ++i)
    for (const TrialData& t : runs[i].trial_data)
      out += "<tr data-trial=\"r" + std::to_string(i) + "t" + std::to_string(t.number) +
             "\" class=\"" + (t.success ? "ok" : "fail") + "\">" +
             Td(std::to_string(t.number), "num") + Td(runs[i].model) +
             Td(runs[i].scenario) + Td(t.success ? "success" : "failure", "res") +
             Td(t.reason) + Td(ReplicaCountsText(t.replicas), "", "replicas") +
             Td(t.generation_reached < 0 ? "" : std::to_string(t.generation_reached), "num",
                "generation") +
             Td(std::to_string(t.steps), "num") +
             Td(Fixed(t.seconds, 1), "num") + "</tr>";
  return out + "</tbody></table><div id=\"trial-view\"></div>";
}

}  // namespace

std::string RenderHtmlReport(const std::vector<RunData>& runs) {
  std::string out =
      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      // Even if some text escaped our escaping, the page may load nothing.
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
      "<title>redline report</title><style>";
  out += kReportCss;
  out += "</style></head><body><h1>redline report</h1><p class=\"note\">" +
         std::to_string(runs.size()) + " run(s).</p>" + ModesNote(runs);
  out += SummarySection(runs) + ScenarioSection(runs) + MatrixSection(runs) +
         PairsSection(runs) + ReplicasSection(runs) + FunnelSection(runs) + AllocationSection(runs) +
         ReasonsSection(runs) + DistributionsSection(runs) + BehaviourSection(runs) +
         TrialsSection(runs);
  out += "<script type=\"application/json\" id=\"trial-data\">" +
         ScriptSafeJson(TrialViewJson(runs)) + "</script><script>";
  out += kReportScript;
  return out + "</script></body></html>\n";
}

}  // namespace redline
