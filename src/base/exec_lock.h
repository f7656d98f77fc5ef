// One lock between writing executables and fork+exec, in the harness process.
#ifndef REDLINE_BASE_EXEC_LOCK_H_
#define REDLINE_BASE_EXEC_LOCK_H_

#include <shared_mutex>

namespace redline {

/// Linux refuses to exec a file that any process holds open for writing
/// (ETXTBSY). A child forked while another thread is writing an executable
/// inherits that fd until its own exec, so a trial deploying binaries while
/// another trial launches its device would fail at random ("Text file
/// busy"). Code that writes files holds this lock shared while the file is
/// open; code that forks holds it exclusively until the child has exec'd.
std::shared_mutex& ExecLock();

}  // namespace redline

#endif  // REDLINE_BASE_EXEC_LOCK_H_
