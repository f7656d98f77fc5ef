// The probe's backend-socket case: abuse of the broker's socket (the one
// channel out of a device) by connection count, request size, slowness and
// volume. The runner serves the socket with a real Broker and watches its
// own memory, threads and fds while this runs (selftest_runner.cc).
#ifndef REDLINE_SELFTEST_BACKEND_PROBES_H_
#define REDLINE_SELFTEST_BACKEND_PROBES_H_

#include "selftest/probe_report.h"

namespace redline::probe {

/// How hard the case pushes (the runner's bounds are stated against these).
inline constexpr int kHeldConnections = 300;    ///< opened and left idle
inline constexpr int kStreamers = 6;            ///< each sends, never a '\n'
inline constexpr long long kStreamBytes = 48ll << 20;  ///< … this much
inline constexpr int kDribblers = 8;            ///< one byte every 50 ms
inline constexpr int kFloodRequests = 200;      ///< valid, back to back (twice)

void AddBackendProbes(ProbeCases* cases);

}  // namespace redline::probe

#endif  // REDLINE_SELFTEST_BACKEND_PROBES_H_
