// Inline SVG charts for the HTML report: no script, no external asset; every
// label is escaped here, so callers pass plain text.
#ifndef REDLINE_REPORT_SVG_CHARTS_H_
#define REDLINE_REPORT_SVG_CHARTS_H_

#include <string>
#include <utility>
#include <vector>

namespace redline {

struct RateBar {
  std::string label;
  double rate = 0, low = 0, high = 1;  ///< in [0, 1]
  std::string note;                    ///< e.g. "3/10"
};

/// Horizontal bars on a 0–100 % axis, each with its interval as a whisker.
std::string RateBarsSvg(const std::vector<RateBar>& bars);

/// Horizontal bars of counts (a histogram of named categories), longest
/// first is the caller's choice: drawn in the given order.
std::string CountBarsSvg(const std::vector<std::pair<std::string, double>>& bars);

/// One box plot row per group (min, quartiles, median, max, mean as a dot)
/// on a shared axis; groups without values show "no data".
std::string BoxPlotsSvg(
    const std::vector<std::pair<std::string, std::vector<double>>>& groups,
    const std::string& unit);

struct Series {
  std::string label;
  std::string colour;          ///< CSS colour
  std::vector<double> values;  ///< y at x = 1, 2, …
};

/// Lines over steps 1…n (Fig. 10: cumulative environment tokens per step).
std::string LineChartSvg(const std::vector<Series>& series,
                         const std::string& x_label, const std::string& y_label);

}  // namespace redline

#endif  // REDLINE_REPORT_SVG_CHARTS_H_
