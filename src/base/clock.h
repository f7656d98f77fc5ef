// Time helpers: one monotonic clock for durations, one wall clock for records.
#ifndef REDLINE_BASE_CLOCK_H_
#define REDLINE_BASE_CLOCK_H_

#include <string>

namespace redline {

/// Seconds on the monotonic clock (for durations and deadlines).
double MonotonicSeconds();
/// Seconds since the epoch (for timestamps in records).
double WallSeconds();
/// UTC time as 2026-11-26T23:30:09.123Z.
std::string IsoTimestamp();
/// Sleeps; fractions allowed.
void SleepSeconds(double seconds);

}  // namespace redline

#endif  // REDLINE_BASE_CLOCK_H_
