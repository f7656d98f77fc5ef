#include "device/proc.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "base/unique_fd.h"
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

}  // namespace
}  // namespace redline
