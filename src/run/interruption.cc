#include "run/interruption.h"

#include <signal.h>

namespace redline {

void Interruption::Request() {
  requested_ = true;
  std::lock_guard<std::mutex> lock(mutex_);
  // Killing PID 1 ends the device's pid namespace: the episode's HTTP call
  // fails at once and the trial goes on to check and teardown.
  for (pid_t pid : devices_) ::kill(pid, SIGKILL);
}

void Interruption::Track(pid_t device_init) {
  std::lock_guard<std::mutex> lock(mutex_);
  devices_.insert(device_init);
  if (requested_) ::kill(device_init, SIGKILL);
}

void Interruption::Untrack(pid_t device_init) {
  std::lock_guard<std::mutex> lock(mutex_);
  devices_.erase(device_init);
}

}  // namespace redline
