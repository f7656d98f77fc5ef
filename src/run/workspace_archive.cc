#include "run/workspace_archive.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <mutex>
#include <shared_mutex>

#include "base/error.h"
#include "base/exec_lock.h"
#include "base/files.h"
#include "base/unique_fd.h"

namespace redline {
namespace {

constexpr uint64_t kMaxCopyBytes = 64ull << 20;
// Deeper folders are listed as folders, not entered: a model can nest
// folders past PATH_MAX; the listing need not follow it down.
constexpr int kMaxDepth = 64;

std::string Hex(unsigned value, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%0*X", digits, value);
  return buf;
}

// Length of the UTF-8 sequence at `s[i]` and its code point; 0 if invalid.
size_t Utf8At(std::string_view s, size_t i, unsigned* cp) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (c >= 0xF5 || len == 0 || i + len > s.size()) return 0;
  unsigned v = c & (0x7F >> len);
  for (size_t k = 1; k < len; ++k) {
    unsigned char d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) return 0;
    v = (v << 6) | (d & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
  if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
      (v >= 0xD800 && v <= 0xDFFF))
    return 0;
  *cp = v;
  return len;
}

bool InvisibleControl(unsigned cp) {
  return (cp >= 0x80 && cp <= 0x9F) ||      // C1, e.g. CSI
         (cp >= 0x202A && cp <= 0x202E) ||  // bidi embeddings, overrides
         (cp >= 0x2066 && cp <= 0x2069) ||  // bidi isolates
         cp == 0x200E || cp == 0x200F || cp == 0x2028 || cp == 0x2029;
}

bool UnderLogDir(const std::string& relative_dir) {
  size_t start = 0;
  while (start < relative_dir.size()) {
    size_t end = relative_dir.find('/', start);
    if (end == std::string::npos) end = relative_dir.size();
    std::string_view part(relative_dir.data() + start, end - start);
    if (part == "log" || part == ".system-logs") return true;
    start = end + 1;
  }
  return false;
}

// Walks the home by directory fds (openat, O_NOFOLLOW): no path is ever
// resolved through a symlink the model left, however deep.
class Archiver {
 public:
  Archiver(const std::string& dest) : dest_(dest) {}
  ~Archiver() {
    if (listing_) std::fclose(listing_);
  }
  void Run(int home_fd) {
    listing_ = std::fopen((dest_ + "/listing.txt").c_str(), "we");
    if (!listing_) ThrowErrno("fopen(\"" + dest_ + "/listing.txt\")");
    Walk(home_fd, "", "", 0);
    if (unlisted_ > 0)
      std::fprintf(listing_, "... %ld more entries not listed\n", unlisted_);
    if (std::fclose(listing_) != 0) {
      listing_ = nullptr;
      ThrowErrno("write \"" + dest_ + "/listing.txt\"");
    }
    listing_ = nullptr;
  }

 private:
  void List(const std::string& line) {
    if (listed_ >= kMaxListedEntries) {
      ++unlisted_;
      return;
    }
    ++listed_;
    std::fputs(line.c_str(), listing_);
  }

  // `rel`, `safe`: the folder's path from the home, raw and escaped.
  void Walk(int dir_fd, const std::string& rel, const std::string& safe,
            int depth) {
    int fd = ::dup(dir_fd);
    DIR* dir = fd < 0 ? nullptr : ::fdopendir(fd);
    if (!dir) {
      if (fd >= 0) ::close(fd);
      return;
    }
    while (dirent* e = ::readdir(dir)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      Entry(::dirfd(dir), name, rel, safe, depth);
    }
    ::closedir(dir);
  }

  void Entry(int dir_fd, const std::string& name, const std::string& rel,
             const std::string& safe, int depth) {
    struct stat st;
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return;
    std::string path = safe + ListingName(name);
    if (S_ISDIR(st.st_mode)) {
      List(path + "/\t0\n");
      UniqueFd sub(::openat(dir_fd, name.c_str(),
                            O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (sub.valid() && depth < kMaxDepth)
        Walk(sub.get(), rel + name + "/", path + "/", depth + 1);
      return;
    }
    if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t n = ::readlinkat(dir_fd, name.c_str(), target, sizeof target);
      List(path + " -> " +
           ListingName(std::string_view(target, n > 0 ? size_t(n) : 0)) +
           "\t0\n");
      return;
    }
    List(path + "\t" + std::to_string(st.st_size) + "\n");
    if (S_ISREG(st.st_mode) && UnderLogDir(rel) &&
        copied_ + static_cast<uint64_t>(st.st_size) <= kMaxCopyBytes)
      Keep(dir_fd, name, safe, path);
  }

  // Copies one log file (opened without following links or blocking on a
  // FIFO swapped in meanwhile; must still be a regular file).
  void Keep(int dir_fd, const std::string& name, const std::string& safe_dir,
            const std::string& safe_path) {
    UniqueFd in(::openat(dir_fd, name.c_str(),
                         O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    struct stat st;
    if (!in.valid() || ::fstat(in.get(), &st) != 0 || !S_ISREG(st.st_mode))
      return;
    MakeDirs(dest_ + "/" + safe_dir);
    std::string to = dest_ + "/" + safe_path;
    // No fork may inherit the open destination (base/exec_lock.h).
    std::shared_lock<std::shared_mutex> hold(ExecLock());
    UniqueFd out(::open(to.c_str(),
                        O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                        0644));
    if (!out.valid()) ThrowErrno("open(\"" + to + "\")");
    // Data only, holes kept: a sparse log costs what it holds, not its size.
    char buf[1 << 16];
    for (off_t at = 0; at < st.st_size && copied_ < kMaxCopyBytes;) {
      off_t data = ::lseek(in.get(), at, SEEK_DATA);
      if (data < 0) break;  // only a hole is left
      off_t hole = ::lseek(in.get(), data, SEEK_HOLE);
      if (hole < 0) hole = st.st_size;
      for (off_t pos = data; pos < hole && copied_ < kMaxCopyBytes;) {
        size_t want = static_cast<size_t>(std::min<uint64_t>(
            {sizeof buf, static_cast<uint64_t>(hole - pos), kMaxCopyBytes - copied_}));
        ssize_t n = ::pread(in.get(), buf, want, pos);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        if (::pwrite(out.get(), buf, static_cast<size_t>(n), pos) != n)
          ThrowErrno("write(\"" + to + "\")");
        copied_ += static_cast<uint64_t>(n);
        pos += n;
      }
      at = hole;
    }
    if (::ftruncate(out.get(), st.st_size) != 0) ThrowErrno("ftruncate(\"" + to + "\")");
  }

  std::string dest_;
  FILE* listing_ = nullptr;
  uint64_t copied_ = 0;
  long listed_ = 0, unlisted_ = 0;
};

}  // namespace

std::string ListingName(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (size_t i = 0; i < name.size();) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      out += "\\x" + Hex(c, 2);
    } else if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      unsigned cp = 0;
      size_t len = Utf8At(name, i, &cp);
      if (len == 0) {
        out += "\\x" + Hex(c, 2);
      } else {
        if (InvisibleControl(cp))
          out += "\\u{" + Hex(cp, 4) + "}";
        else
          out.append(name.substr(i, len));
        i += len;
        continue;
      }
    }
    ++i;
  }
  return out;
}

void ArchiveWorkspace(const std::string& home, const std::string& dest) {
  UniqueFd home_fd(
      ::open(home.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!home_fd.valid()) {
    if (errno == ENOENT) return;
    ThrowErrno("open(\"" + home + "\")");
  }
  MakeDirs(dest);
  Archiver(dest).Run(home_fd.get());
  RemoveTree(home);
}

}  // namespace redline
