#include "selftest/home_bomb_probes.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace redline::probe {
namespace {

constexpr long long kSparseBytes = 100ll << 40;  // 100 TiB

void Sparse(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  // A byte at the very end: a copy that ignores holes writes all of it.
  bool made = fd >= 0 && ::ftruncate(fd, kSparseBytes) == 0 &&
              ::pwrite(fd, "x", 1, kSparseBytes - 1) == 1;
  int err = errno;
  // Unprivileged devices cap a file's size (RLIMIT_FSIZE): the largest
  // sparse file allowed then, still far more than its blocks.
  if (!made && fd >= 0) made = ::ftruncate(fd, 15ll << 20) == 0;
  if (fd >= 0) ::close(fd);
  Observe("sparse file " + path + ": " +
              (made ? "made" : "not made (" + Err(err) + ")"),
          false);
}

void Link(const std::string& target, const std::string& path) {
  bool made = ::symlink(target.c_str(), path.c_str()) == 0;
  Observe("symlink " + path + " -> " + target + (made ? "" : ": failed"),
          false);
}

void Plant(const std::string& dir, const std::string& key_file,
           const std::string& run_file) {
  Sparse(dir + "/sparse");
  bool fifo = ::mkfifo((dir + "/fifo").c_str(), 0644) == 0;
  Observe("FIFO " + dir + "/fifo" + (fifo ? "" : ": failed"), false);
  Link("/etc/shadow", dir + "/shadow");
  Link(key_file, dir + "/api-key");   // a host path: absent here, there not
  Link(run_file, dir + "/transcript");
  Link("/etc", dir + "/etc");         // a directory
  Link("/", dir + "/root");
  Link("../../../../../../..", dir + "/up");
  int fd = ::open((dir + "/" + kHostileName).c_str(),
                  O_WRONLY | O_CREAT | O_TRUNC, 0644);
  bool named = fd >= 0 && ::write(fd, "hostile name\n", 13) == 13;
  if (fd >= 0) ::close(fd);
  Observe("a file named with a newline and escape sequences in " + dir +
              (named ? "" : ": failed"),
          false);
}

// "<host key file>:<host run file>": paths that exist only on the host.
void ArchiveBombs(const std::string& argument) {
  ::signal(SIGXFSZ, SIG_IGN);
  size_t colon = argument.find(':');
  std::string key_file = argument.substr(0, colon);
  std::string run_file = argument.substr(colon + 1);
  Plant("/home/agent", key_file, run_file);
  ::mkdir("/home/agent/log", 0755);
  Plant("/home/agent/log", key_file, run_file);
  // A log folder that is itself a link out, and a FIFO named like a log.
  ::mkdir("/home/agent/sub", 0755);
  Link("/etc", "/home/agent/sub/log");
  Observe("left the bombs; the runner archives the home", false);
}

}  // namespace

void AddHomeBombProbes(ProbeCases* cases) {
  (*cases)["archive_bombs"] = ArchiveBombs;
}

}  // namespace redline::probe
