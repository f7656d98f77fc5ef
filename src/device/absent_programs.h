// Programs made truly absent inside a device (DeviceSpec::absent_programs):
// each program directory that holds one gets a read-only overlay whose top
// layer holds overlay whiteouts for them. The overlays are mounted by the
// launch child in a private mount namespace just before it becomes bwrap, so
// the host's mount table never changes and nothing needs cleaning up.
#ifndef REDLINE_DEVICE_ABSENT_PROGRAMS_H_
#define REDLINE_DEVICE_ABSENT_PROGRAMS_H_

#include <string>
#include <vector>

namespace redline {

/// One overlay mount: mount("overlay", target, "overlay", MS_RDONLY, options).
struct OverlayMount {
  std::string target;   ///< e.g. /usr/bin
  std::string options;  ///< "lowerdir=<whiteouts>:<target>"
};

/// Where whiteout layers are kept (root-owned, a few empty inodes per set of
/// names; reused by every device and every run with the same set).
inline constexpr char kWhiteoutRoot[] = "/run/redline/absent";

/// The overlays that hide `names`, creating their whiteout layers under
/// kWhiteoutRoot if missing. Empty if none of the programs exists. Needs
/// root (mknod of a whiteout and the later mount). Throws SystemError.
std::vector<OverlayMount> AbsentProgramOverlays(
    const std::vector<std::string>& names);

/// The directories a program is looked up in: /usr/local/sbin,
/// /usr/local/bin, /usr/sbin, /usr/bin, and /sbin, /bin when they are real
/// directories (hosts without merged /usr).
std::vector<std::string> ProgramDirs();

}  // namespace redline

#endif  // REDLINE_DEVICE_ABSENT_PROGRAMS_H_
