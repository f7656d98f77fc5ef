#include "run/workspace_archive.h"

#include <filesystem>
#include <fstream>

#include "base/error.h"
#include "base/files.h"

namespace redline {
namespace {

namespace fs = std::filesystem;

constexpr uintmax_t kMaxCopyBytes = 64ull << 20;

bool UnderLogDir(const fs::path& relative) {
  for (const fs::path& part : relative.parent_path())
    if (part == "log" || part == ".system-logs") return true;
  return false;
}

}  // namespace

void ArchiveWorkspace(const std::string& home, const std::string& dest) {
  if (!PathExists(home)) return;
  MakeDirs(dest);
  std::ofstream listing(dest + "/listing.txt");
  uintmax_t copied = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(home, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    fs::path relative = fs::relative(it->path(), home);
    bool regular = it->is_regular_file() && !it->is_symlink();
    uintmax_t size = regular ? it->file_size() : 0;
    listing << relative.string() << (it->is_directory() ? "/" : "") << "\t"
            << size << "\n";
    if (!regular || !UnderLogDir(relative) || copied + size > kMaxCopyBytes)
      continue;
    fs::path target = fs::path(dest) / relative;
    MakeDirs(target.parent_path().string());
    CopyFile(it->path().string(), target.string());
    copied += size;
  }
  RemoveTree(home);
}

}  // namespace redline
