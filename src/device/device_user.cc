#include "device/device_user.h"

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/error.h"
#include "device/device.h"

namespace redline {
namespace {

std::string ModeText(mode_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
  return buf;
}

// Whether the device user may use `st` with `bits` (S_IXOTH, S_IROTH…
// expressed for "others"); owner and group bits count when they match.
bool Allows(const struct stat& st, mode_t other_bits) {
  if (st.st_uid == DeviceHostUid()) return st.st_mode & (other_bits << 6);
  if (st.st_gid == DeviceHostGid()) return st.st_mode & (other_bits << 3);
  return st.st_mode & other_bits;
}

int ChownEntry(const char* path, const struct stat*, int, struct FTW*) {
  return ::lchown(path, DeviceHostUid(), DeviceHostGid()) == 0 ? 0 : errno;
}

}  // namespace

bool DeviceDropsRoot() { return ::geteuid() == 0; }

uid_t DeviceHostUid() {
  return DeviceDropsRoot() ? kUnprivilegedUid : ::geteuid();
}

gid_t DeviceHostGid() {
  return DeviceDropsRoot() ? kUnprivilegedGid : ::getegid();
}

void GiveToDevice(const std::string& path) {
  if (!DeviceDropsRoot()) return;
  // FTW_PHYS: never follow a symlink out of the tree; FTW_MOUNT: stay on
  // its file system.
  int err = ::nftw(path.c_str(), ChownEntry, 32, FTW_PHYS | FTW_MOUNT);
  if (err < 0) ThrowErrno("walk \"" + path + "\"");
  if (err > 0)
    throw SystemError("chown -R \"" + path + "\" to " +
                          std::to_string(DeviceHostUid()),
                      err);
}

std::string UnreachableBy(const std::string& path, mode_t mode_bits) {
  std::string prefix;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    bool last = end == path.size();
    prefix = path.substr(0, end);
    struct stat st;
    if (::stat(prefix.empty() ? "/" : prefix.c_str(), &st) != 0)
      return prefix + " (" + std::strerror(errno) + ")";
    if (!Allows(st, last ? mode_bits : S_IXOTH))
      return prefix + " (mode " + ModeText(st.st_mode) + ")";
    start = end + 1;
  }
  return "";
}

}  // namespace redline
