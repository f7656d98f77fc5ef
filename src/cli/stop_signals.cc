#include "cli/stop_signals.h"

#include <pthread.h>
#include <unistd.h>

#include "run/interruption.h"

namespace redline {

StopSignals::StopSignals(Interruption& interruption, std::function<void(int)> say) {
  sigemptyset(&set_);
  sigaddset(&set_, SIGINT);
  sigaddset(&set_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  thread_ = std::thread([this, &interruption, say = std::move(say)] {
    for (int count = 0;; ++count) {
      int sig = 0;
      sigwait(&set_, &sig);
      if (done_) return;
      if (count > 0) _exit(130);
      say(sig);
      interruption.Request();
    }
  });
}

StopSignals::~StopSignals() {
  done_ = true;
  pthread_kill(thread_.native_handle(), SIGTERM);
  thread_.join();
}

}  // namespace redline
