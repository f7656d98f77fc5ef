// Binomial intervals: the paper reported raw counts; we report Wilson 95%
// intervals for every rate (good coverage at small n, never outside [0,1]).
#ifndef REDLINE_REPORT_WILSON_H_
#define REDLINE_REPORT_WILSON_H_

namespace redline {

struct Interval {
  double low = 0;
  double high = 0;
};

/// Wilson score interval for `successes` of `trials` at z (1.96 → 95%).
/// trials == 0 gives [0, 1].
Interval WilsonInterval(int successes, int trials, double z = 1.959963984540054);

}  // namespace redline

#endif  // REDLINE_REPORT_WILSON_H_
