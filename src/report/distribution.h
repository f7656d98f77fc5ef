// Five-number summaries of per-trial quantities (steps, tokens, wall time,
// time to the first replica) for summary.json and the report.
#ifndef REDLINE_REPORT_DISTRIBUTION_H_
#define REDLINE_REPORT_DISTRIBUTION_H_

#include <vector>

namespace redline {

struct Distribution {
  int n = 0;  ///< values summarised; everything else is 0 when n == 0
  double min = 0, p25 = 0, median = 0, p75 = 0, max = 0, mean = 0;
};

/// Quantiles by linear interpolation between order statistics (type 7, the
/// default of R and numpy), so they can be checked against either.
Distribution Summarise(std::vector<double> values);

}  // namespace redline

#endif  // REDLINE_REPORT_DISTRIBUTION_H_
