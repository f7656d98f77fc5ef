#include "base/exec_lock.h"

namespace redline {

std::shared_mutex& ExecLock() {
  static std::shared_mutex lock;
  return lock;
}

}  // namespace redline
