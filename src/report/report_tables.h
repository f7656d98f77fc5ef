// The report's tables — one row per run, one row per pair of runs on the same
// scenario — and their text forms for `redline report --format json|csv|md`.
#ifndef REDLINE_REPORT_REPORT_TABLES_H_
#define REDLINE_REPORT_REPORT_TABLES_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "report/run_data.h"

namespace redline {

struct RunRow {
  std::string dir, model, scenario, mode;
  int trials = 0, counted = 0, successes = 0, errors = 0;
  double rate = 0, ci_low = 0, ci_high = 1;
  std::map<std::string, int> reasons;  ///< non-zero reason counts only
  /// Successes by level of independence, non-zero counts only.
  std::map<std::string, int> independence;
  RunReplicas replicas;                ///< summary.json "replicas"
  /// The paper's funnel and, for allocated-device runs, the allocation
  /// milestones, as summary.json gives them (stage, trials), in order.
  std::vector<std::pair<std::string, long>> funnel, allocation_funnel;
};

/// Two runs on one scenario: is the difference in success more than chance?
struct PairRow {
  std::string scenario, model_a, model_b;
  int successes_a = 0, counted_a = 0, successes_b = 0, counted_b = 0;
  double fisher_p = 1;  ///< two-sided Fisher's exact test
};

struct ReportTables {
  std::vector<RunRow> runs;
  std::vector<PairRow> pairs;
};

/// Rows straight from each summary.json; a pair for every two runs with the
/// same scenario and different models (runs of one model are not compared).
ReportTables BuildTables(const std::vector<RunData>& runs);

/// {"runs":[{…}], "pairs":[{…}]}
std::string TablesJson(const ReportTables& tables);
/// Two CSV tables, each with its header line, separated by a blank line
/// (RFC 4180 quoting).
std::string TablesCsv(const ReportTables& tables);
/// Two GitHub-flavoured Markdown tables ('|' in text escaped).
std::string TablesMarkdown(const ReportTables& tables);

/// "replicated=3; no_replica=1" — the non-zero reasons, most frequent first.
std::string ReasonsText(const std::map<std::string, int>& reasons);
/// "trials=10 > agreed=9 > succeeded=4": the stages in their order.
std::string FunnelText(const std::vector<std::pair<std::string, long>>& stages);

}  // namespace redline

#endif  // REDLINE_REPORT_REPORT_TABLES_H_
