#include "report/rates.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace redline {
namespace {

double LogChoose(int n, int k) {
  return std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0);
}

}  // namespace

double PassAtK(int n, int c, int k) {
  if (n - c < k) return 1.0;
  // The product form avoids the huge binomials: ∏_{i=n−c+1}^{n} (1 − k/i).
  double fail_all = 1.0;
  for (int i = n - c + 1; i <= n; ++i) fail_all *= 1.0 - static_cast<double>(k) / i;
  return 1.0 - fail_all;
}

double FisherExactTwoSided(int a, int b, int c, int d) {
  int row1 = a + b, row2 = c + d, col1 = a + c, n = row1 + row2;
  auto log_p = [&](int x) {
    return LogChoose(row1, x) + LogChoose(row2, col1 - x) - LogChoose(n, col1);
  };
  double observed = log_p(a);
  double p = 0;
  for (int x = std::max(0, col1 - row2); x <= std::min(row1, col1); ++x) {
    double lp = log_p(x);
    // A relative tolerance, as R and SciPy use, so tables exactly as likely
    // as the observed one are not lost to rounding.
    if (lp <= observed + 1e-7) p += std::exp(lp);
  }
  return std::min(1.0, p);
}

std::string PValueText(double p) {
  constexpr double kSmallest = 0.0001;
  if (p < kSmallest) return "< 0.0001";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4f", p);
  return buffer;
}

}  // namespace redline
