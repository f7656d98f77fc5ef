// `redline report`'s HTML page: one self-contained file (inline CSS, script
// and SVG; no URL anywhere) with the summary table, rate bars with Wilson
// intervals, model comparisons, the funnel, the reasons, the distributions,
// the behaviour figures and a per-trial view of every step and the checker's
// evidence.
#ifndef REDLINE_REPORT_HTML_REPORT_H_
#define REDLINE_REPORT_HTML_REPORT_H_

#include <string>
#include <vector>

#include "report/run_data.h"

namespace redline {

/// The whole page. Every text that came from a run folder is escaped.
std::string RenderHtmlReport(const std::vector<RunData>& runs);

}  // namespace redline

#endif  // REDLINE_REPORT_HTML_REPORT_H_
