#include "device/launcher_thread.h"

#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

namespace redline {
namespace {

struct Task {
  const std::function<void()>* fn;
  bool done = false;
  std::exception_ptr error;
};

// Never destroyed: the thread may still wait on it while the process exits.
struct Launcher {
  pid_t owner = ::getpid();
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Task*> queue;

  void Loop() {
    std::unique_lock lock(mu);
    while (true) {
      cv.wait(lock, [this] { return !queue.empty(); });
      Task* task = queue.front();
      queue.pop_front();
      lock.unlock();
      try {
        (*task->fn)();
      } catch (...) {
        task->error = std::current_exception();
      }
      lock.lock();
      task->done = true;
      cv.notify_all();
    }
  }
};

std::atomic<Launcher*> g_launcher{nullptr};
std::mutex g_create_mu;

// A forked child inherits g_launcher but not its thread, so a launcher is
// only used by the process that made it.
Launcher* GetLauncher() {
  Launcher* launcher = g_launcher.load();
  if (launcher && launcher->owner == ::getpid()) return launcher;
  std::lock_guard lock(g_create_mu);
  launcher = g_launcher.load();
  if (launcher && launcher->owner == ::getpid()) return launcher;
  launcher = new Launcher;
  std::thread([launcher] { launcher->Loop(); }).detach();
  g_launcher.store(launcher);
  return launcher;
}

}  // namespace

void RunOnLauncherThread(const std::function<void()>& fn) {
  Launcher* launcher = GetLauncher();
  Task task{&fn};
  std::unique_lock lock(launcher->mu);
  launcher->queue.push_back(&task);
  launcher->cv.notify_all();
  launcher->cv.wait(lock, [&task] { return task.done; });
  lock.unlock();
  if (task.error) std::rethrow_exception(task.error);
}

}  // namespace redline
