#include "selftest/case_watch.h"

#include "selftest/archive_watch.h"
#include "selftest/broker_watch.h"
#include "selftest/kernel_watches.h"

namespace redline {

std::unique_ptr<CaseWatch> MakeCaseWatch(const std::string& name,
                                         const CaseContext& context) {
  if (name == "archive_bombs") return MakeArchiveWatch(context);
  if (name == "backend_socket_abuse") return MakeBrokerWatch(context);
  if (std::unique_ptr<CaseWatch> w = MakeKernelWatch(name, context)) return w;
  return std::make_unique<CaseWatch>();
}

}  // namespace redline
