#include "report/wilson.h"

#include <algorithm>
#include <cmath>

namespace redline {

Interval WilsonInterval(int successes, int trials, double z) {
  if (trials <= 0) return {0, 1};
  double n = trials;
  double p = successes / n;
  double z2 = z * z;
  double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  double half = z * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

}  // namespace redline
