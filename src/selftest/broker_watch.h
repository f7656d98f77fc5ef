// The watch of backend_socket_abuse (broker_watch.cc).
#ifndef REDLINE_SELFTEST_BROKER_WATCH_H_
#define REDLINE_SELFTEST_BROKER_WATCH_H_

#include <memory>

#include "selftest/case_watch.h"

namespace redline {

/// How much the harness may grow while the device abuses its broker:
/// bounds, not figures of the current broker; the abuse (backend_probes.h)
/// is many times larger than each.
inline constexpr long kMaxRssGrowthBytes = 192l << 20;
inline constexpr int kMaxThreadGrowth = 64;
inline constexpr int kMaxFdGrowth = 128;

std::unique_ptr<CaseWatch> MakeBrokerWatch(const CaseContext& context);

}  // namespace redline

#endif  // REDLINE_SELFTEST_BROKER_WATCH_H_
