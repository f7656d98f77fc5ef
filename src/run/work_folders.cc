#include "run/work_folders.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "base/error.h"
#include "base/files.h"

namespace redline {
namespace {

constexpr char kRoot[] = "/tmp";
constexpr char kPrefix[] = "rl-";

// The owner pid in "rl-<pid>-<suffix>", or 0 if the name is not one of ours.
pid_t OwnerOf(const std::string& name) {
  if (!name.starts_with(kPrefix)) return 0;
  size_t start = sizeof(kPrefix) - 1;
  size_t dash = name.find('-', start);
  if (dash == std::string::npos || dash == start) return 0;
  std::string digits = name.substr(start, dash - start);
  if (digits.find_first_not_of("0123456789") != std::string::npos) return 0;
  return static_cast<pid_t>(std::stol(digits));
}

bool Running(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

}  // namespace

std::string WorkFolderFor(const std::string& suffix) {
  return std::string(kRoot) + "/" + kPrefix + std::to_string(::getpid()) + "-" +
         suffix;
}

std::vector<std::string> RemoveStaleWorkFolders() {
  std::vector<std::string> removed;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(kRoot, ec)) {
    std::string name = entry.path().filename().string();
    pid_t owner = OwnerOf(name);
    if (owner <= 0 || owner == ::getpid() || Running(owner)) continue;
    // Another user's folder (sticky /tmp): not ours to remove.
    struct stat st;
    if (::geteuid() != 0 && (::lstat(entry.path().c_str(), &st) != 0 ||
                             st.st_uid != ::geteuid()))
      continue;
    RemoveTree(entry.path().string());
    removed.push_back("removed the work folder of a dead redline process: " +
                      entry.path().string());
  }
  return removed;
}

}  // namespace redline
