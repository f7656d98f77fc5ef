#include "device/weights_view.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "base/error.h"
#include "base/files.h"
#include "base/unique_fd.h"
#include "device/device.h"
#include "device/privilege.h"
#include "device/stale_mounts.h"

namespace redline {
namespace {

namespace fs = std::filesystem;

constexpr char kLayers[] = "/.cow";

std::string FdPath(const UniqueFd& fd) { return "/proc/self/fd/" + std::to_string(fd.get()); }

UniqueFd OpenDir(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) ThrowErrno("open(\"" + path + "\")");
  return fd;
}

void MakeDir(const std::string& path, mode_t mode) {
  if (::mkdir(path.c_str(), mode) != 0) ThrowErrno("mkdir(\"" + path + "\")");
  if (::chmod(path.c_str(), mode) != 0) ThrowErrno("chmod(\"" + path + "\")");
}

// The layers' directories, made fresh. The upper one's owner and mode are
// those of the view's top directory, which the device must own.
void MakeLayers(const std::string& at) {
  std::string layers = at + kLayers;
  RemoveTree(layers);
  MakeDir(layers, 0700);
  MakeDir(layers + "/upper", 0755);
  MakeDir(layers + "/work", 0700);
  std::string upper = layers + "/upper";
  if (::lchown(upper.c_str(), DeviceHostUid(), DeviceHostGid()) != 0)
    ThrowErrno("chown(\"" + upper + "\")");
}

// metacopy: a chown or chmod copies up only the inode, never the data.
// volatile: the upper layer is thrown away, so unmounting must not sync
// it, which would flush every dirty page of the file system it is on
// (the host's root file system: seconds while other trials write). Kernels
// before 5.10 lack it and get a view that syncs. The layers are named by
// descriptor so that no path character (',' or ':') can break the options.
void MountOverlay(const std::string& weights_dir, const std::string& at) {
  UniqueFd lower = OpenDir(weights_dir);
  UniqueFd upper = OpenDir(at + kLayers + "/upper");
  UniqueFd work = OpenDir(at + kLayers + "/work");
  std::string options = "lowerdir=" + FdPath(lower) + ",upperdir=" + FdPath(upper) +
                        ",workdir=" + FdPath(work) + ",metacopy=on,redirect_dir=on";
  std::string source = OwnedMountSource(kWeightsMountPrefix);
  int rc = ::mount(source.c_str(), at.c_str(), "overlay", MS_NOSUID | MS_NODEV,
                   (options + ",volatile").c_str());
  if (rc != 0 && errno == EINVAL)
    rc = ::mount(source.c_str(), at.c_str(), "overlay", MS_NOSUID | MS_NODEV, options.c_str());
  if (rc != 0) {
    int err = errno;
    throw SystemError("mount an overlay of \"" + weights_dir + "\" on \"" + at + "\"", err,
                      err == EINVAL ? "the kernel's overlayfs lacks metacopy, or the home's "
                                      "file system cannot hold an upper layer"
                                    : "");
  }
}

int HandToDevice(const char* path, const struct stat* st, int kind, struct FTW*) {
  if (::lchown(path, DeviceHostUid(), DeviceHostGid()) != 0) return errno;
  if (kind == FTW_SL) return 0;
  // The owner must be able to use what it owns, whatever the user's modes.
  mode_t add = kind == FTW_D ? 0700 : 0600;
  if ((st->st_mode & add) != add && ::chmod(path, (st->st_mode & 07777) | add) != 0)
    return errno;
  return 0;
}

void HandOver(const std::string& at) {
  // FTW_PHYS: never follow a link. Not FTW_MOUNT: an overlay reports its
  // files on per-layer devices of their own.
  int err = ::nftw(at.c_str(), HandToDevice, 32, FTW_PHYS);
  if (err < 0) ThrowErrno("walk \"" + at + "\"");
  if (err > 0) throw SystemError("hand \"" + at + "\" to the device's user", err);
}

void Unmount(const std::string& at) {
  if (::umount2(at.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0 && errno != EINVAL)
    ThrowErrno("umount(\"" + at + "\")");
}

// A link inside the device resolves inside the device: an absolute one, or
// a relative one that climbs out of the folder (a Hugging Face cache's
// snapshot links into ../../blobs), points at nothing there.
std::string LinkOutOfFolder(const std::string& weights_dir) {
  std::error_code ec;
  fs::path root(weights_dir);
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_symlink(ec)) continue;
    fs::path target = fs::read_symlink(it->path(), ec);
    fs::path inside = (it->path().parent_path().lexically_relative(root) / target)
                          .lexically_normal();
    if (target.is_absolute() || inside.empty() || *inside.begin() == "..")
      return it->path().lexically_relative(root).string() + " is a symbolic link to " +
             target.string() + ", out of the folder (a view would leave it dangling)";
  }
  if (ec) return "cannot read \"" + weights_dir + "\": " + ec.message();
  return "";
}

}  // namespace

WeightsView::WeightsView(const std::string& weights_dir, const std::string& at)
    : at_(at) {
  MakeLayers(at);
  MountOverlay(weights_dir, at);
  mounted_ = true;
  HandOver(at);
}

WeightsView::~WeightsView() {
  try {
    Remove();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "redline: %s\n", e.what());
  }
}

void WeightsView::Remove() {
  if (mounted_) Unmount(at_);
  mounted_ = false;
  RemoveTree(at_ + kLayers);
}

std::string WeightsViewUnavailable(const std::string& weights_dir,
                                   const std::string& at) {
  if (!HarnessIsRoot())
    return "mounting a copy-on-write view needs root (redline runs as uid " +
           std::to_string(::geteuid()) + ")";
  std::string link = LinkOutOfFolder(weights_dir);
  if (!link.empty()) return link;
  try {
    MakeLayers(at);
    MountOverlay(weights_dir, at);
    Unmount(at);
    RemoveTree(at + kLayers);
  } catch (const SystemError& e) {
    try {
      RemoveTree(at + kLayers);
    } catch (const SystemError&) {
    }
    return e.what();
  }
  return "";
}

std::vector<std::string> RemoveStaleWeightViews() {
  std::vector<std::string> lines;
  for (const StaleMount& m : FindStaleMounts("overlay", kWeightsMountPrefix)) {
    if (::umount2(m.point.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0) continue;
    std::error_code ec;
    fs::remove_all(m.point + kLayers, ec);
    lines.push_back("unmounted stale weights view " + m.point + " (redline " + m.owner + ")");
  }
  return lines;
}

}  // namespace redline
