// Facts about the host file system that a device's bwrap command depends
// on, gathered in one place so BuildBwrapArgs can stay a pure function.
#ifndef REDLINE_DEVICE_HOST_LAYOUT_H_
#define REDLINE_DEVICE_HOST_LAYOUT_H_

#include <string>
#include <vector>

namespace redline {

struct HostLayout {
  /// A top-level entry of / that holds programs or libraries.
  struct RootEntry {
    std::string name;            ///< "bin", "sbin", "lib", "lib32", "lib64"…
    std::string symlink_target;  ///< e.g. "usr/bin"; "" for a real directory
  };
  /// Those of /bin /sbin /lib /lib32 /lib64 /libx32 that exist, mirrored
  /// into the device as they are (a symlink stays a symlink).
  std::vector<RootEntry> root_entries;
  /// Files and directories under /usr and /etc that are not world-readable
  /// on the host. They are masked in the device: its uid maps to the uid
  /// running bwrap, so when the harness runs as root the device would be
  /// their *owner* and could read e.g. /etc/shadow.
  std::vector<std::string> masked_files;
  std::vector<std::string> masked_dirs;
  /// Existing paths of the hidden programs (in /usr/bin, /usr/sbin,
  /// /usr/local/bin, /usr/local/sbin, and /bin, /sbin if they are real
  /// directories).
  std::vector<std::string> hidden_paths;
  /// Real files (symlinks resolved) of the shutdown commands (reboot,
  /// shutdown, poweroff, halt, systemctl) in the program directories;
  /// devinit is bound over each, so inside the device they end the device.
  std::vector<std::string> shutdown_paths;
};

/// Reads the host. The scan of /usr and /etc for masked paths runs once per
/// process (about 0.4 s on a warm cache) and is reused.
HostLayout ProbeHost(const std::vector<std::string>& hidden_programs);

}  // namespace redline

#endif  // REDLINE_DEVICE_HOST_LAYOUT_H_
