#include "base/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <shared_mutex>
#include <sstream>

#include "base/error.h"
#include "base/exec_lock.h"
#include "base/unique_fd.h"

namespace redline {

namespace fs = std::filesystem;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) ThrowErrno("open(\"" + path + "\")");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void WriteAll(int fd, std::string_view data, const std::string& what) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ThrowErrno("write(\"" + what + "\")");
    done += static_cast<size_t>(n);
  }
}

void WriteFileAtomic(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                     0644));
  if (!fd.valid()) ThrowErrno("open(\"" + tmp + "\")");
  WriteAll(fd.get(), content, tmp);
  if (::fsync(fd.get()) != 0) ThrowErrno("fsync(\"" + tmp + "\")");
  fd.reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    ThrowErrno("rename(\"" + tmp + "\", \"" + path + "\")");
}

void AppendLine(const std::string& path, const std::string& line) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                     0644));
  if (!fd.valid()) ThrowErrno("open(\"" + path + "\")");
  // One write() per line keeps concurrent appenders from interleaving.
  WriteAll(fd.get(), line + "\n", path);
}

void MakeDirs(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) throw SystemError("mkdir -p \"" + path + "\"", ec.value());
}

void RemoveTree(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) throw SystemError("rm -rf \"" + path + "\"", ec.value());
}

bool PathExists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

namespace {

// Copies from the current offsets of `in` and `out` to the end of `in`.
void CopyRest(int in, int out, const std::string& from, const std::string& to) {
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(in, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ThrowErrno("read(\"" + from + "\")");
    if (n == 0) return;
    WriteAll(out, std::string_view(buf, static_cast<size_t>(n)), to);
  }
}

}  // namespace

void CopyFile(const std::string& from, const std::string& to) {
  UniqueFd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) ThrowErrno("open(\"" + from + "\")");
  struct stat st;
  if (::fstat(in.get(), &st) != 0) ThrowErrno("fstat(\"" + from + "\")");
  // Shared hold of ExecLock while the destination is open for writing: no
  // fork may happen meanwhile, or the copy could not be exec'd (ETXTBSY).
  std::shared_lock<std::shared_mutex> hold(ExecLock());
  UniqueFd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                      st.st_mode & 07777));
  if (!out.valid()) ThrowErrno("open(\"" + to + "\")");
  off_t left = st.st_size;
  while (left > 0) {
    ssize_t n = ::copy_file_range(in.get(), nullptr, out.get(), nullptr,
                                  static_cast<size_t>(left), 0);
    if (n < 0 && errno == EINTR) continue;
    // Between file systems (a run folder on another disk than /tmp) many
    // kernels refuse; so do some file systems. Copy through a buffer then.
    if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
                  errno == EOPNOTSUPP)) {
      CopyRest(in.get(), out.get(), from, to);
      return;
    }
    if (n < 0) ThrowErrno("copy_file_range(\"" + from + "\", \"" + to + "\")");
    if (n == 0) break;  // the source shrank while we copied
    left -= n;
  }
}

std::string ExecutableDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw SystemError("readlink(\"/proc/self/exe\")", ec.value());
  return exe.parent_path().string();
}

std::string JoinPath(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (a.back() == '/') return a + (b.starts_with('/') ? b.substr(1) : b);
  return a + (b.starts_with('/') ? b : "/" + b);
}

}  // namespace redline
