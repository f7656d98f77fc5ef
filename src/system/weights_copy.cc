#include "system/weights_copy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <string_view>
#include <system_error>
#include <vector>

#include "base/clock.h"
#include "base/error.h"
#include "base/files.h"
#include "base/unique_fd.h"

namespace redline {
namespace {

namespace fs = std::filesystem;

constexpr char kWhy[] = "the weights are copied into the trial's device";
// Followed links could make a loop: no checkpoint nests this deep.
constexpr int kMaxDepth = 64;

class Progress {
 public:
  Progress(uint64_t total, double every,
           const std::function<void(uint64_t, uint64_t)>& report)
      : total_(total), every_(every), report_(report), next_(MonotonicSeconds() + every) {}
  void Add(uint64_t n) {
    done_ += n;
    if (MonotonicSeconds() < next_) return;
    next_ = MonotonicSeconds() + every_;
    report_(done_, total_);
  }
  void Finish() { report_(done_, total_); }

 private:
  uint64_t total_, done_ = 0;
  double every_;
  const std::function<void(uint64_t, uint64_t)>& report_;
  double next_;
};

void CopyData(const fs::path& from, const fs::path& to, Progress& progress) {
  UniqueFd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st;
  if (!in.valid() || ::fstat(in.get(), &st) != 0) ThrowErrno("open(\"" + from.string() + "\")");
  UniqueFd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!out.valid()) ThrowErrno("create(\"" + to.string() + "\")");
  // Readable by the device's user whatever the user's modes; a server that
  // travels with its weights (a llamafile) stays executable.
  if (::fchmod(out.get(), (st.st_mode & 0755) | 0644) != 0)
    ThrowErrno("chmod(\"" + to.string() + "\")");
  std::vector<char> buf(1 << 20);
  for (;;) {
    ssize_t n = ::read(in.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ThrowErrno("read(\"" + from.string() + "\")");
    if (n == 0) return;
    WriteAll(out.get(), std::string_view(buf.data(), static_cast<size_t>(n)), to.string());
    progress.Add(static_cast<uint64_t>(n));
  }
}

void CopyDir(const fs::path& from, const fs::path& to, Progress& progress, int depth = 0) {
  std::error_code ec;
  if (depth > kMaxDepth)
    throw SystemError("copy \"" + from.string() + "\"", ELOOP,
                      "folders nest too deep: a loop of symbolic links?");
  fs::create_directory(to, ec);
  if (ec) throw SystemError("mkdir(\"" + to.string() + "\")", ec.value(), kWhy);
  fs::permissions(to, fs::perms(0755), ec);
  for (const fs::directory_entry& entry : fs::directory_iterator(from, ec)) {
    fs::path target = to / entry.path().filename();
    if (entry.is_directory(ec)) {
      CopyDir(entry.path(), target, progress, depth + 1);
    } else if (entry.is_regular_file(ec)) {
      CopyData(entry.path(), target, progress);
    }
    // Sockets, fifos, devices and dangling links are no weights.
  }
  if (ec) throw SystemError("read \"" + from.string() + "\"", ec.value(), kWhy);
}

}  // namespace

uint64_t WeightsBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(
           dir, fs::directory_options::follow_directory_symlink, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it.depth() > kMaxDepth) it.disable_recursion_pending();
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

std::string ProgressText(uint64_t done, uint64_t total) {
  bool gib = total >= (1ull << 30);
  double unit = gib ? double(1ull << 30) : double(1ull << 20);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.1f of %.1f %s", done / unit, total / unit,
                gib ? "GiB" : "MiB");
  return buf;
}

void CopyWeightsWithProgress(const std::string& from, const std::string& to,
                             const std::function<void(uint64_t, uint64_t)>& progress,
                             double every_seconds) {
  Progress counter(WeightsBytes(from), every_seconds, progress);
  RemoveTree(to);
  CopyDir(from, to, counter);
  counter.Finish();
}

}  // namespace redline
