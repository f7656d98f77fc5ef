#include "device/home_quota.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <shared_mutex>

#include "base/error.h"
#include "base/exec_lock.h"
#include "device/stale_mounts.h"

namespace redline {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void ThrowFs(const std::string& what, const fs::path& path) {
  throw fs::filesystem_error(what, path, std::error_code(errno, std::system_category()));
}

// Copies a regular file's data and keeps its holes: a sparse file the model
// made (ftruncate to 100 TB) costs only its data here, never its size. What
// the host's file system cannot hold (ext4 stops at 16 TiB) is cut off.
void CopySparse(const fs::path& from, const fs::path& to) {
  UniqueFd in(::open(from.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  struct stat st;
  if (!in.valid() || ::fstat(in.get(), &st) != 0) ThrowFs("open", from);
  if (!S_ISREG(st.st_mode)) return;
  UniqueFd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                      0600));
  if (!out.valid()) ThrowFs("open", to);
  char buf[1 << 16];
  off_t at = 0;
  while (at < st.st_size) {
    off_t data = ::lseek(in.get(), at, SEEK_DATA);
    if (data < 0) break;  // ENXIO: only a hole is left
    off_t hole = ::lseek(in.get(), data, SEEK_HOLE);
    if (hole < 0) hole = st.st_size;
    for (off_t pos = data; pos < hole;) {
      ssize_t n = ::pread(in.get(), buf, std::min<off_t>(sizeof buf, hole - pos), pos);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      if (::pwrite(out.get(), buf, static_cast<size_t>(n), pos) != n) {
        if (errno == EFBIG) return;
        ThrowFs("write", to);
      }
      pos += n;
    }
    at = hole;
  }
  if (::ftruncate(out.get(), st.st_size) != 0 && errno != EFBIG && errno != EINVAL)
    ThrowFs("truncate", to);
}

// Copies the entries of `from` into the existing directory `to`, keeping
// modes and owners; never follows a symlink. Only the harness runs while
// this copies (the device's processes are gone or not started yet).
void CopyTree(const fs::path& from, const fs::path& to) {
  for (const fs::directory_entry& entry : fs::directory_iterator(from)) {
    fs::path target = to / entry.path().filename();
    struct stat st;
    if (::lstat(entry.path().c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      fs::create_directory(target);
      CopyTree(entry.path(), target);
    } else if (S_ISREG(st.st_mode)) {
      // No fork may inherit the open destination (base/exec_lock.h).
      std::shared_lock<std::shared_mutex> hold(ExecLock());
      CopySparse(entry.path(), target);
    } else if (S_ISLNK(st.st_mode)) {
      fs::copy_symlink(entry.path(), target);
    } else {
      continue;  // sockets, fifos, devices: nothing to keep
    }
    if (!S_ISLNK(st.st_mode)) ::chmod(target.c_str(), st.st_mode & 07777);
    ::lchown(target.c_str(), st.st_uid, st.st_gid);
  }
}

void ClearDir(const fs::path& dir) {
  for (const fs::directory_entry& entry : fs::directory_iterator(dir))
    fs::remove_all(entry.path());
}

std::string UnderPath(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

}  // namespace

HomeQuota::HomeQuota(const std::string& dir, uint64_t bytes) : dir_(dir) {
  under_.reset(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!under_.valid()) ThrowErrno("open(\"" + dir + "\")");
  struct stat st;
  if (::fstat(under_.get(), &st) != 0) ThrowErrno("fstat(\"" + dir + "\")");
  char options[96];
  std::snprintf(options, sizeof options, "size=%llu,mode=%04o",
                static_cast<unsigned long long>(bytes), st.st_mode & 07777);
  std::string source = OwnedMountSource(kHomeMountPrefix);
  if (::mount(source.c_str(), dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV,
              options) != 0)
    ThrowErrno("mount(tmpfs, \"" + dir + "\", " + options + ")");
  mounted_ = true;
  ::chown(dir.c_str(), st.st_uid, st.st_gid);
  try {
    CopyTree(UnderPath(under_.get()), dir);
  } catch (const fs::filesystem_error& e) {
    ::umount2(dir.c_str(), MNT_DETACH);
    mounted_ = false;
    throw SystemError("copy \"" + dir + "\" into its size-limited tmpfs",
                      e.code().value(), e.what());
  }
}

HomeQuota::~HomeQuota() {
  try {
    Restore();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "redline: %s\n", e.what());
  }
}

void HomeQuota::Restore() {
  if (!mounted_) return;
  mounted_ = false;
  std::string under = UnderPath(under_.get());
  try {
    ClearDir(under);
    CopyTree(dir_, under);
  } catch (const fs::filesystem_error& e) {
    ::umount2(dir_.c_str(), MNT_DETACH);
    throw SystemError("copy the device's home back to \"" + dir_ + "\"",
                      e.code().value(), e.what());
  }
  if (::umount2(dir_.c_str(), MNT_DETACH) != 0)
    ThrowErrno("umount(\"" + dir_ + "\")");
}

std::vector<std::string> RemoveStaleHomes() {
  std::vector<std::string> lines;
  for (const StaleMount& m : FindStaleMounts("tmpfs", kHomeMountPrefix))
    if (::umount2(m.point.c_str(), MNT_DETACH) == 0)
      lines.push_back("unmounted stale device home " + m.point + " (redline " +
                      m.owner + ")");
  return lines;
}

}  // namespace redline
