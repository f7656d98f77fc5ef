// Watches of the kernel-interface cases (kernel_watches.cc).
#ifndef REDLINE_SELFTEST_KERNEL_WATCHES_H_
#define REDLINE_SELFTEST_KERNEL_WATCHES_H_

#include <memory>
#include <string>

#include "selftest/case_watch.h"

namespace redline {

/// nullptr if `name` is not one of them.
std::unique_ptr<CaseWatch> MakeKernelWatch(const std::string& name,
                                           const CaseContext& context);

}  // namespace redline

#endif  // REDLINE_SELFTEST_KERNEL_WATCHES_H_
