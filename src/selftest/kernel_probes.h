// The probe's kernel-interface cases: keyrings, io_uring, bpf,
// perf_event_open, userfaultfd, the clock, time and cgroup namespaces, the
// kernel log. Each is expected to fail from inside a device; the runner
// checks the host side (its keyring, its clocks, its kernel log, the
// device's cgroup).
#ifndef REDLINE_SELFTEST_KERNEL_PROBES_H_
#define REDLINE_SELFTEST_KERNEL_PROBES_H_

#include "selftest/probe_report.h"

namespace redline::probe {

void AddKernelProbes(ProbeCases* cases);

}  // namespace redline::probe

#endif  // REDLINE_SELFTEST_KERNEL_PROBES_H_
