// The report page's inline style sheet and script (no external asset: the
// report must open offline and load nothing).
#ifndef REDLINE_REPORT_REPORT_ASSETS_H_
#define REDLINE_REPORT_REPORT_ASSETS_H_

namespace redline {

/// CSS for the page and its SVG charts.
extern const char* const kReportCss;
/// The per-trial view: reads the JSON in <script id="trial-data">, makes the
/// rows of #trials clickable and renders a trial into #trial-view. Builds DOM
/// nodes with textContent only: model output is never parsed as HTML.
extern const char* const kReportScript;

}  // namespace redline

#endif  // REDLINE_REPORT_REPORT_ASSETS_H_
