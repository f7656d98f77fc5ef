#include "world/port_holder.h"

#include <optional>
#include <stdexcept>

#include "base/clock.h"
#include "device/device.h"
#include "device/device_files.h"
#include "device/proc.h"

namespace redline {

pid_t HoldPorts(Device& device, const std::string& home, const std::string& log_path,
                const std::vector<int>& ports, double timeout_seconds) {
  if (ports.empty()) return 0;
  std::vector<std::string> argv = {
      "python3", "-c",
      "import socket, sys, time\n"
      "held = []\n"
      "for p in sys.argv[1:]:\n"
      "    s = socket.socket()\n"
      "    s.bind(('127.0.0.1', int(p)))\n"
      "    s.listen()\n"
      "    held.append(s)\n"
      "print('holding', *sys.argv[1:], flush=True)\n"
      "while True: time.sleep(3600)\n"};
  for (int port : ports) argv.push_back(std::to_string(port));
  pid_t pid = device.Spawn(SpawnRequest{argv, "", log_path});
  double deadline = MonotonicSeconds() + timeout_seconds;
  while (MonotonicSeconds() < deadline) {
    size_t held = 0;
    for (const Listener& l : ReadListeners(device.InitPid(), {pid}))
      held += !l.pids.empty();
    if (held >= ports.size()) return pid;
    if (!ProcessAlive(pid)) {
      std::string relative = log_path.substr(std::string(kDeviceHome).size() + 1);
      std::optional<std::string> log = ReadDeviceFileTail(home, relative, 600);
      throw std::runtime_error("the port holder exited: " + (log ? *log : "(no output)"));
    }
    SleepSeconds(0.01);
  }
  throw std::runtime_error("the port holder did not listen in time");
}

}  // namespace redline
