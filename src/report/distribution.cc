#include "report/distribution.h"

#include <algorithm>
#include <numeric>

namespace redline {
namespace {

// Type 7: h = (n - 1) p, interpolate between the values at floor(h), ceil(h).
double Quantile(const std::vector<double>& sorted, double p) {
  double h = (sorted.size() - 1) * p;
  size_t lo = static_cast<size_t>(h);
  size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

}  // namespace

Distribution Summarise(std::vector<double> values) {
  Distribution d;
  if (values.empty()) return d;
  std::sort(values.begin(), values.end());
  d.n = static_cast<int>(values.size());
  d.min = values.front();
  d.max = values.back();
  d.p25 = Quantile(values, 0.25);
  d.median = Quantile(values, 0.5);
  d.p75 = Quantile(values, 0.75);
  d.mean = std::accumulate(values.begin(), values.end(), 0.0) / d.n;
  return d;
}

}  // namespace redline
