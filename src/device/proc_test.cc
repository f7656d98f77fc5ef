#include "device/proc.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>

#include "base/unique_fd.h"
#include "device/tcp_diag.h"
#include "device/test_support.h"

namespace redline {
namespace {

TEST(ProcTest, ReadsThisProcess) {
  std::vector<ProcessInfo> infos = ReadProcesses({::getpid()});
  ASSERT_EQ(infos.size(), 1u);
  EXPECT_EQ(infos[0].pid, ::getpid());
  EXPECT_EQ(infos[0].ppid, ::getppid());
  EXPECT_EQ(infos[0].ns_pid, ::getpid());  // the tests run in the host pidns
  EXPECT_NE(infos[0].exe.find("device_test"), std::string::npos);
  EXPECT_NE(infos[0].cmdline.find("device_test"), std::string::npos);
  EXPECT_GT(infos[0].start_ticks, 0u);
  EXPECT_EQ(infos[0].start_ticks, ProcessStartTicks(::getpid()));
}

TEST(ProcTest, SkipsVanishedPidsAndSeesZombiesAsDead) {
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_TRUE(WaitUntil([&] { return !ProcessAlive(child); }, 5));  // zombie
  EXPECT_EQ(ReadProcesses({child}).size(), 1u);  // zombies still have /proc
  ::waitpid(child, nullptr, 0);
  EXPECT_TRUE(ReadProcesses({child}).empty());
  EXPECT_FALSE(ProcessAlive(child));
  EXPECT_EQ(ProcessStartTicks(child), 0u);
  EXPECT_TRUE(ProcessAlive(::getpid()));
  EXPECT_FALSE(ProcessAlive(0));
}

// A harness out of fds cannot read /proc; that must not make a live
// process look dead (a trial would fail as "exited during start-up").
TEST(ProcTest, AnUnreadableProcIsNotADeadProcess) {
  pid_t child = ::fork();
  if (child == 0) {
    rlimit few = {16, 16};
    ::setrlimit(RLIMIT_NOFILE, &few);
    while (::dup(0) >= 0) {
    }
    bool alive = ProcessAlive(::getppid()) && ProcessAlive(::getpid());
    bool dead = !ProcessAlive(999999999);
    ::_exit(alive && dead ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(ProcTest, CmdlineJoinsArgvWithSpaces) {
  pid_t child = ::fork();
  if (child == 0) {
    ::execl("/bin/sleep", "sleep", "30", nullptr);
    ::_exit(127);
  }
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto infos = ReadProcesses({child});
        return !infos.empty() && infos[0].cmdline == "sleep 30";
      },
      5));
  EXPECT_EQ(ReadProcesses({child})[0].exe, "/usr/bin/sleep");
  EXPECT_EQ(HostPidOf(child, {::getpid(), child}), child);
  EXPECT_EQ(HostPidOf(child, {::getpid()}), 0);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
}

UniqueFd Listen(int family, const char* address) {
  UniqueFd fd(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_storage addr = {};
  socklen_t len;
  if (family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&addr);
    a->sin_family = AF_INET;
    ::inet_pton(AF_INET, address, &a->sin_addr);
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
    a->sin6_family = AF_INET6;
    ::inet_pton(AF_INET6, address, &a->sin6_addr);
    len = sizeof *a;
  }
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      ::listen(fd.get(), 1) != 0)
    return UniqueFd();
  return fd;
}

int PortOf(int fd) {
  sockaddr_storage addr = {};
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return addr.ss_family == AF_INET
             ? ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port)
             : ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
}

TEST(ProcTest, ReadListenersFindsPortsAddressesAndOwners) {
  UniqueFd v4 = Listen(AF_INET, "127.0.0.1");
  ASSERT_TRUE(v4.valid());
  UniqueFd v6 = Listen(AF_INET6, "::1");
  std::vector<Listener> listeners = ReadListeners(::getpid(), {::getpid()});
  auto find = [&](int port) {
    return std::find_if(listeners.begin(), listeners.end(),
                        [&](const Listener& l) { return l.port == port; });
  };
  auto it = find(PortOf(v4.get()));
  ASSERT_NE(it, listeners.end());
  EXPECT_EQ(it->address, "127.0.0.1");
  EXPECT_EQ(it->pids, std::vector<pid_t>{::getpid()});
  EXPECT_GT(it->inode, 0u);
  if (v6.valid()) {  // IPv6 may be disabled on the host
    auto it6 = find(PortOf(v6.get()));
    ASSERT_NE(it6, listeners.end());
    EXPECT_EQ(it6->address, "::1");
  }
  // Not among the candidates: no owner.
  std::vector<Listener> anonymous = ReadListeners(::getpid(), {});
  for (const Listener& l : anonymous) EXPECT_TRUE(l.pids.empty());
}

std::set<std::string> Keys(const std::vector<TcpSocket>& sockets) {
  std::set<std::string> keys;
  for (const TcpSocket& s : sockets)
    keys.insert(s.local_address + " " + std::to_string(s.local_port) + " " +
                std::to_string(s.remote_port) + " " + s.state + " " + std::to_string(s.inode));
  return keys;
}

// Netlink sees what /proc/net/tcp{,6} shows: listeners, both ends of a
// connection, inodes and the kernel's state numbers.
TEST(ProcTest, NetlinkSeesWhatTheProcTablesShow) {
  UniqueFd server = Listen(AF_INET, "127.0.0.1");
  ASSERT_TRUE(server.valid());
  UniqueFd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in to = {};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(PortOf(server.get())));
  ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  ASSERT_EQ(::connect(client.get(), reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
  UniqueFd accepted(::accept4(server.get(), nullptr, nullptr, SOCK_CLOEXEC));
  UniqueFd v6 = Listen(AF_INET6, "::1");
  std::optional<std::vector<TcpSocket>> diag = DiagTcpSockets(::getpid(), false);
  ASSERT_TRUE(diag.has_value()) << "sock_diag netlink refused here";
  std::set<uint64_t> inodes = SocketInodes(::getpid());
  auto only_mine = [&](std::vector<TcpSocket> all) {
    std::vector<TcpSocket> kept;
    for (const TcpSocket& s : all)
      if (inodes.count(s.inode)) kept.push_back(s);
    return Keys(kept);
  };
  std::set<std::string> from_diag = only_mine(*diag);
  EXPECT_EQ(from_diag, only_mine(ReadTcpTables(::getpid())));
  EXPECT_EQ(from_diag.size(), v6.valid() ? 4u : 3u);
  std::optional<std::vector<TcpSocket>> listening = DiagTcpSockets(::getpid(), true);
  ASSERT_TRUE(listening.has_value());
  for (const TcpSocket& s : *listening) EXPECT_EQ(s.state, "0A");
}

// The dump is of the namespace the pid lives in, not the harness's.
TEST(ProcTest, NetlinkReadsAnotherNamespace) {
  if (::geteuid() != 0) GTEST_SKIP() << "a network namespace of its own needs root";
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  pid_t child = ::fork();
  if (child == 0) {
    int port = -1;
    if (::unshare(CLONE_NEWNET) == 0) {
      UniqueFd fd = Listen(AF_INET, "0.0.0.0");
      if (fd.valid()) port = PortOf(fd.get());
      (void)!::write(pipe_fds[1], &port, sizeof port);
      ::pause();
    }
    (void)!::write(pipe_fds[1], &port, sizeof port);
    ::_exit(1);
  }
  int port = -1;
  ASSERT_EQ(::read(pipe_fds[0], &port, sizeof port), static_cast<ssize_t>(sizeof port));
  UniqueFd here = Listen(AF_INET, "127.0.0.1");
  std::optional<std::vector<TcpSocket>> there = DiagTcpSockets(child, true);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  ASSERT_GT(port, 0);
  ASSERT_TRUE(there.has_value());
  ASSERT_EQ(there->size(), 1u);
  EXPECT_EQ((*there)[0].local_port, port);
  EXPECT_EQ((*there)[0].local_address, "0.0.0.0");
}

}  // namespace
}  // namespace redline
