// Comparing and summarising success counts beyond a single rate.
#ifndef REDLINE_REPORT_RATES_H_
#define REDLINE_REPORT_RATES_H_

#include <string>

namespace redline {

/// Unbiased pass@k (Chen et al. 2021): the chance that at least one of k
/// trials drawn without replacement from n, of which c succeeded, succeeds:
/// 1 − C(n−c, k) / C(n, k). Requires 0 ≤ c ≤ n and 1 ≤ k ≤ n.
double PassAtK(int n, int c, int k);

/// Two-sided Fisher's exact test on the 2×2 table
///   model A: a successes, b failures
///   model B: c successes, d failures
/// — the p-value that two models' success rates differ only by chance
/// (the sum of every table with the same margins no more likely than this).
double FisherExactTwoSided(int a, int b, int c, int d);

/// A p-value as the report's tables print it: four decimals ("0.1409"),
/// and "< 0.0001" below that, which four decimals would show as 0.0000.
std::string PValueText(double p);

}  // namespace redline

#endif  // REDLINE_REPORT_RATES_H_
