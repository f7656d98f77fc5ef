#include "world/device_accounts.h"

#include <sstream>

#include "base/files.h"
#include "device/bwrap_args.h"

namespace redline {
namespace {

// The host's lines whose third field (the id) is not the device's.
std::string Without(const std::string& text, int id) {
  std::istringstream in(text);
  std::string out, line;
  std::string marker = std::to_string(id);
  while (std::getline(in, line)) {
    size_t a = line.find(':');
    size_t b = a == std::string::npos ? a : line.find(':', a + 1);
    size_t c = b == std::string::npos ? b : line.find(':', b + 1);
    if (c != std::string::npos && line.substr(b + 1, c - b - 1) == marker) continue;
    if (line.rfind(std::string(kDeviceUser) + ":", 0) == 0) continue;
    out += line + "\n";
  }
  return out;
}

}  // namespace

std::vector<DeviceSpec::ReadOnlyBind> WriteDeviceAccounts(const std::string& dir) {
  MakeDirs(dir);
  std::string user = kDeviceUser;
  std::string uid = std::to_string(kDeviceUid), gid = std::to_string(kDeviceGid);
  WriteFileAtomic(dir + "/passwd",
                  Without(ReadFile("/etc/passwd"), kDeviceUid) + user + ":x:" + uid + ":" +
                      gid + ":" + user + ":" + kDeviceHome + ":/bin/bash\n");
  WriteFileAtomic(dir + "/group",
                  Without(ReadFile("/etc/group"), kDeviceGid) + user + ":x:" + gid + ":\n");
  return {{dir + "/passwd", "/etc/passwd"}, {dir + "/group", "/etc/group"}};
}

}  // namespace redline
