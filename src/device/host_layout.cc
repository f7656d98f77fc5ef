#include "device/host_layout.h"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <set>

#include "device/absent_programs.h"
#include "device/control_channel.h"

namespace redline {
namespace {

namespace fs = std::filesystem;

struct Masks {
  std::vector<std::string> files;
  std::vector<std::string> dirs;
};

bool WorldReadable(fs::perms p, bool is_dir) {
  bool read = (p & fs::perms::others_read) != fs::perms::none;
  bool exec = (p & fs::perms::others_exec) != fs::perms::none;
  return is_dir ? read && exec : read;
}

// Never follows symlinks; does not descend into a masked directory.
void ScanTree(const std::string& root, Masks* masks) {
  std::error_code ec;
  fs::recursive_directory_iterator it(
      root, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    fs::file_status st = it->symlink_status(ec);
    if (ec) {
      ec.clear();
      continue;
    }
    bool is_dir = fs::is_directory(st);
    if (!is_dir && !fs::is_regular_file(st)) continue;
    if (WorldReadable(st.permissions(), is_dir)) continue;
    (is_dir ? masks->dirs : masks->files).push_back(it->path().string());
    if (is_dir) it.disable_recursion_pending();
  }
}

std::vector<HostLayout::RootEntry> RootEntries() {
  std::vector<HostLayout::RootEntry> entries;
  for (const char* name : {"bin", "sbin", "lib", "lib32", "lib64", "libx32"}) {
    std::string path = std::string("/") + name;
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) continue;
    if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t n = ::readlink(path.c_str(), target, sizeof target);
      if (n <= 0) continue;
      entries.push_back({name, std::string(target, size_t(n))});
    } else if (S_ISDIR(st.st_mode)) {
      entries.push_back({name, ""});
    }
  }
  return entries;
}

bool IsRealDir(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Every tree bound into the device: /usr, /etc, and /bin etc. where they are
// real directories (hosts without merged /usr).
const Masks& HostMasks() {
  static std::once_flag once;
  static Masks* masks = new Masks;
  std::call_once(once, [] {
    ScanTree("/usr", masks);
    ScanTree("/etc", masks);
    for (const HostLayout::RootEntry& entry : RootEntries())
      if (entry.symlink_target.empty()) ScanTree("/" + entry.name, masks);
  });
  return *masks;
}

std::vector<std::string> HiddenPaths(const std::vector<std::string>& names) {
  std::vector<std::string> dirs;
  for (const char* dir : {"/usr/bin", "/usr/sbin", "/usr/local/bin",
                          "/usr/local/sbin", "/bin", "/sbin"})
    if (IsRealDir(dir)) dirs.push_back(dir);
  std::vector<std::string> paths;
  for (const std::string& name : names) {
    for (const std::string& dir : dirs) {
      std::string path = dir + "/" + name;
      struct stat st;
      // stat, not lstat: bwrap cannot mount over a dangling symlink.
      if (::stat(path.c_str(), &st) == 0) paths.push_back(path);
    }
  }
  return paths;
}

std::vector<std::string> ShutdownPaths() {
  std::set<std::string> paths;
  for (const std::string& dir : ProgramDirs()) {
    for (const char* name : kShutdownCommands) {
      char real[PATH_MAX];
      struct stat st;
      std::string path = dir + "/" + name;
      if (::realpath(path.c_str(), real) && ::stat(real, &st) == 0 &&
          S_ISREG(st.st_mode))
        paths.insert(real);
    }
  }
  return {paths.begin(), paths.end()};
}

}  // namespace

HostLayout ProbeHost(const std::vector<std::string>& hidden_programs) {
  HostLayout host;
  host.root_entries = RootEntries();
  const Masks& masks = HostMasks();
  host.masked_files = masks.files;
  host.masked_dirs = masks.dirs;
  host.hidden_paths = HiddenPaths(hidden_programs);
  host.shutdown_paths = ShutdownPaths();
  return host;
}

}  // namespace redline
