// The watch of archive_bombs (archive_watch.cc).
#ifndef REDLINE_SELFTEST_ARCHIVE_WATCH_H_
#define REDLINE_SELFTEST_ARCHIVE_WATCH_H_

#include <memory>

#include "selftest/case_watch.h"

namespace redline {

std::unique_ptr<CaseWatch> MakeArchiveWatch(const CaseContext& context);

}  // namespace redline

#endif  // REDLINE_SELFTEST_ARCHIVE_WATCH_H_
