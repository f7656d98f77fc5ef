// One long-lived thread per process that forks the devices' bwrap processes.
//
// The parent-death signal (PR_SET_PDEATHSIG, which bwrap --die-with-parent
// uses) fires when the *thread* that forked the child exits, not the
// process. Trials run in threads that come and go, so forking from the
// calling thread would kill a device when the thread that started it ends.
// Forking from this thread ties each device to the harness process instead.
#ifndef REDLINE_DEVICE_LAUNCHER_THREAD_H_
#define REDLINE_DEVICE_LAUNCHER_THREAD_H_

#include <functional>

namespace redline {

/// Runs `fn` on the launcher thread (started on first use, and again in a
/// forked child process) and waits for it. An exception thrown by `fn` is
/// rethrown here. Calls are serialized.
void RunOnLauncherThread(const std::function<void()>& fn);

}  // namespace redline

#endif  // REDLINE_DEVICE_LAUNCHER_THREAD_H_
