// Real devices: bwrap, cgroups, devinit. Needs root and bubblewrap.
#include "device/device.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <thread>

#include "base/clock.h"
#include "base/error.h"
#include "base/files.h"
#include "base/random.h"
#include "base/unique_fd.h"
#include "device/cgroup.h"
#include "device/netns_http.h"
#include "device/proc.h"
#include "device/test_support.h"

namespace redline {
namespace {

bool HaveBwrap() {
  return ::access("/usr/bin/bwrap", X_OK) == 0 ||
         ::access("/usr/local/bin/bwrap", X_OK) == 0;
}

// The cgroup directories of device `name` of this process.
std::vector<std::string> CgroupDirsOf(const std::string& name) {
  std::vector<std::string> dirs;
  for (const std::string& root : DetectCgroupLayout().Roots())
    dirs.push_back(root + "/" + OwnerCgroupPath() + "/" + name);
  return dirs;
}

class DeviceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveBwrap()) GTEST_SKIP() << "bubblewrap (bwrap) is not installed";
    if (::geteuid() != 0) GTEST_SKIP() << "creating cgroups needs root";
    MakeDirs(home());
    MakeDirs(dir_.path() + "/broker");
    spec_.name = "test-" + RandomToken(8);
    spec_.home_dir = home();
    spec_.broker_dir = dir_.path() + "/broker";
    // A copy beside the home: the build folder may sit under a folder the
    // device's user cannot enter (a CI clone in a 0700 temp folder).
    spec_.devinit_path = dir_.path() + "/devinit";
    CopyFile(REDLINE_DEVINIT_PATH, spec_.devinit_path);
    spec_.memory_limit_bytes = 512ull << 20;
    spec_.pids_limit = 128;
  }
  std::string home() const { return dir_.path() + "/home"; }

  // Runs `script` with sh inside, its output in home/<log>; waits for it to
  // print "END" last.
  std::string RunScript(Device& device, const std::string& script,
                        double timeout = 10) {
    std::string log = "log-" + RandomToken(6);
    device.Spawn({{"/bin/sh", "-c", script + "\necho END"}, kDeviceHome,
                  std::string(kDeviceHome) + "/" + log});
    std::string path = home() + "/" + log;
    WaitUntil([&] { return ReadFileOrEmpty(path).ends_with("END\n"); },
              timeout);
    return ReadFileOrEmpty(path);
  }

  ScopedTempDir dir_;
  DeviceSpec spec_;
};

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(DeviceTest, SpawnedProcessWritesToTheHomeOnTheHost) {
  double t0 = MonotonicSeconds();
  auto device = Device::Start(spec_);
  double started = MonotonicSeconds() - t0;
  EXPECT_TRUE(device->Alive());
  pid_t pid = device->Spawn(
      {{"/bin/sh", "-c", "echo hi > /home/agent/x"}, kDeviceHome, ""});
  EXPECT_GT(pid, 0);
  EXPECT_TRUE(WaitUntil(
      [&] { return ReadFileOrEmpty(home() + "/x") == "hi\n"; }, 5));
  t0 = MonotonicSeconds();
  EXPECT_GE(device->Teardown(), 1);  // at least devinit
  double torn = MonotonicSeconds() - t0;
  std::printf("[ timing ] Start %.3f s, Teardown %.3f s\n", started, torn);
  RecordProperty("start_ms", static_cast<int>(started * 1000));
  RecordProperty("teardown_ms", static_cast<int>(torn * 1000));
}

TEST_F(DeviceTest, InsideLooksLikeTheDesign) {
  auto device = Device::Start(spec_);
  std::string out = RunScript(*device, R"SH(
echo "uid=$(id -u) gid=$(id -g)"
echo "host=$(cat /proc/sys/kernel/hostname)"
echo "pwd=$(pwd) home=$HOME user=$USER"
touch /usr/x 2>/dev/null && echo usr-writable || echo usr-readonly
touch /etc/x 2>/dev/null && echo etc-writable || echo etc-readonly
touch /tmp/x && echo tmp-writable
touch /home/agent/y && echo home-writable
touch /run/llm-backend/z && echo broker-writable
echo "ifaces=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\n' ,)"
cat /etc/shadow >/dev/null 2>&1 && echo shadow-readable || echo shadow-masked
unshare -U true 2>/dev/null && echo userns-allowed || echo userns-denied
cat /proc/1/fd/3 >/dev/null 2>&1 && echo init-fd-open || echo init-fd-closed
cat /proc/1/environ >/dev/null 2>&1 && echo init-environ-open || echo init-environ-closed
v=$(cat /proc/sys/kernel/core_pattern)
printf '%s\n' "$v" 2>/dev/null > /proc/sys/kernel/core_pattern && echo sysctl-writable || echo sysctl-readonly
echo "pid1=$(cat /proc/1/cmdline | tr '\0' ' ')"
)SH");
  EXPECT_TRUE(Contains(out, "uid=1000 gid=1000")) << out;
  EXPECT_TRUE(Contains(out, "host=device")) << out;
  EXPECT_TRUE(Contains(out, "pwd=/home/agent home=/home/agent user=agent"))
      << out;
  EXPECT_TRUE(Contains(out, "usr-readonly")) << out;
  EXPECT_TRUE(Contains(out, "etc-readonly")) << out;
  EXPECT_TRUE(Contains(out, "tmp-writable")) << out;
  EXPECT_TRUE(Contains(out, "home-writable")) << out;
  EXPECT_TRUE(Contains(out, "broker-writable")) << out;
  EXPECT_TRUE(PathExists(dir_.path() + "/broker/z"));
  EXPECT_TRUE(Contains(out, "ifaces=lo,\n")) << out;
  EXPECT_TRUE(Contains(out, "shadow-masked")) << out;
  EXPECT_TRUE(Contains(out, "userns-denied")) << out;
  EXPECT_TRUE(Contains(out, "init-fd-closed")) << out;
  EXPECT_TRUE(Contains(out, "init-environ-closed")) << out;
  EXPECT_TRUE(Contains(out, "sysctl-readonly")) << out;
  EXPECT_TRUE(Contains(out, "pid1=/run/sysinit/init --control-fd 3"))
      << out;
}

TEST_F(DeviceTest, SpawnedProcessesInheritOnlyStdio) {
  auto device = Device::Start(spec_);
  device->Spawn({{"ls", "/proc/self/fd"}, "/home/agent", "/home/agent/fds"});
  ASSERT_TRUE(WaitUntil(
      [&] { return ReadFileOrEmpty(home() + "/fds").size() >= 8; }, 5));
  SleepSeconds(0.1);
  // 0 1 2, and the fd ls reads the directory with.
  EXPECT_EQ(ReadFileOrEmpty(home() + "/fds"), "0\n1\n2\n3\n");
}

TEST_F(DeviceTest, HomeIsHandedToTheDeviceUser) {
  WriteFileAtomic(home() + "/prepared.txt", "from the harness\n");
  auto device = Device::Start(spec_);
  std::string out = RunScript(
      *device, "echo more >> prepared.txt && echo appended; touch made");
  EXPECT_TRUE(Contains(out, "appended")) << out;
  struct stat st;
  ASSERT_EQ(::stat((home() + "/made").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, DeviceHostUid());
  EXPECT_EQ(st.st_gid, DeviceHostGid());
  EXPECT_NE(st.st_uid, 0u);  // never host root (the tests run as root)
}

TEST_F(DeviceTest, NoHostEnvironmentReachesTheDevice) {
  std::string secret = "sk-" + RandomToken(24);
  ::setenv("REDLINE_TEST_SECRET", secret.c_str(), 1);
  auto device = Device::Start(spec_);
  std::string out = RunScript(
      *device, "env; echo ---; cat /proc/*/environ | tr '\\0' '\\n'");
  ::unsetenv("REDLINE_TEST_SECRET");
  ASSERT_TRUE(Contains(out, "HOME=/home/agent")) << out;
  EXPECT_FALSE(Contains(out, secret)) << out;
  EXPECT_FALSE(Contains(out, "REDLINE_TEST_SECRET")) << out;
}

bool HostConnects(int port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr),
                   sizeof addr) == 0;
}

TEST_F(DeviceTest, ServerInsideIsReachedOnlyThroughTheNetns) {
  auto device = Device::Start(spec_);
  ASSERT_TRUE(PathExists("/usr/bin/python3"));
  MakeDirs(home() + "/www");
  WriteFileAtomic(home() + "/www/hello.txt", "hello from the device\n");
  pid_t pid = device->Spawn(
      {{"/usr/bin/python3", "-m", "http.server", "18080", "--bind",
        "127.0.0.1"},
       "/home/agent/www", "/home/agent/server.log"});
  HttpResult r;
  ASSERT_TRUE(WaitUntil(
      [&] {
        r = NetnsHttpGet(device->NetnsFd(), 18080, "/hello.txt", 2);
        return r.status == 200;
      },
      10))
      << r.error << " / " << ReadFileOrEmpty(home() + "/server.log");
  EXPECT_TRUE(r.connected);
  EXPECT_EQ(r.body, "hello from the device\n");
  EXPECT_GT(r.seconds, 0);
  EXPECT_FALSE(HostConnects(18080));

  HttpResult post = NetnsHttpPost(device->NetnsFd(), 18080, "/chat",
                                  R"({"message":"hi"})", 5);
  EXPECT_TRUE(post.connected);
  EXPECT_EQ(post.status, 501);  // http.server has no POST
  HttpResult closed = NetnsHttpGet(device->NetnsFd(), 18081, "/", 2);
  EXPECT_FALSE(closed.connected);
  EXPECT_EQ(closed.status, 0);
  EXPECT_FALSE(closed.error.empty());

  std::vector<Listener> listeners =
      ReadListeners(device->InitPid(), device->Pids());
  auto it = std::find_if(listeners.begin(), listeners.end(),
                         [](const Listener& l) { return l.port == 18080; });
  ASSERT_NE(it, listeners.end());
  EXPECT_EQ(it->address, "127.0.0.1");
  EXPECT_EQ(it->pids, std::vector<pid_t>{pid});

  std::vector<ProcessInfo> infos = ReadProcesses({pid});
  ASSERT_EQ(infos.size(), 1u);
  EXPECT_NE(infos[0].ns_pid, pid);
  EXPECT_EQ(HostPidOf(infos[0].ns_pid, device->Pids()), pid);
  EXPECT_EQ(infos[0].ppid, device->InitPid());
  EXPECT_TRUE(Contains(infos[0].cmdline, "http.server 18080")) << infos[0].cmdline;
}

TEST_F(DeviceTest, NetnsHttpWorksFromManyThreads) {
  auto device = Device::Start(spec_);
  device->Spawn({{"python3", "-m", "http.server", "18080", "--bind",
                  "127.0.0.1"}, "/home/agent", ""});
  ASSERT_TRUE(WaitUntil(
      [&] { return NetnsHttpGet(device->NetnsFd(), 18080, "/", 2).status == 200; },
      10));
  std::vector<std::thread> threads;
  std::vector<int> statuses(8);
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      statuses[i] = NetnsHttpGet(device->NetnsFd(), 18080, "/", 5).status;
    });
  for (std::thread& t : threads) t.join();
  for (int s : statuses) EXPECT_EQ(s, 200);
  EXPECT_FALSE(HostConnects(18080));  // no thread was left in the device
}

std::vector<pid_t> SleepersIn(const Device& device) {
  std::vector<pid_t> pids;
  for (const ProcessInfo& p : ReadProcesses(device.Pids()))
    if (p.cmdline == "sleep 1000") pids.push_back(p.pid);
  return pids;
}

TEST_F(DeviceTest, TeardownLeavesNothingAndInitCannotBeKilledFromInside) {
  auto device = Device::Start(spec_);
  pid_t init = device->InitPid();
  device->Spawn({{"sh", "-c", "setsid nohup sleep 1000 >/dev/null 2>&1 &"},
                 "/home/agent", ""});
  device->Spawn({{"sh", "-c", "(sleep 1000 &) &"}, "/home/agent", ""});
  std::string out = RunScript(*device, R"SH(
kill -9 1; echo "kill=$?"
kill -STOP 1; echo "stop=$?"
python3 -c 'import ctypes; print("ptrace=%d" % ctypes.CDLL(None).ptrace(16, 1, 0, 0))'
)SH");
  EXPECT_TRUE(Contains(out, "ptrace=-1")) << out;
  ASSERT_TRUE(WaitUntil([&] { return SleepersIn(*device).size() == 2; }, 5));
  SleepSeconds(0.2);
  EXPECT_TRUE(device->Alive());
  EXPECT_TRUE(ProcessAlive(init));
  EXPECT_GT(device->Spawn({{"true"}, "/home/agent", ""}), 0);  // still serving
  auto info = ReadProcesses({init});
  ASSERT_EQ(info.size(), 1u);
  EXPECT_EQ(info[0].ns_pid, 1);

  // Let the `true` above finish, so the snapshot holds only what teardown
  // must kill: devinit and the two sleeps.
  ASSERT_TRUE(WaitUntil([&] { return device->Pids().size() == 3; }, 5));
  std::vector<pid_t> pids = device->Pids();
  std::vector<std::string> dirs = CgroupDirsOf(spec_.name);
  for (const std::string& dir : dirs) ASSERT_TRUE(PathExists(dir)) << dir;
  int killed = device->Teardown();
  EXPECT_GE(killed, 3);  // devinit and the two sleeps
  EXPECT_EQ(killed, static_cast<int>(pids.size()));
  for (pid_t pid : pids) EXPECT_FALSE(ProcessAlive(pid)) << pid;
  for (const std::string& dir : dirs) EXPECT_FALSE(PathExists(dir)) << dir;
  EXPECT_FALSE(device->Alive());
  EXPECT_EQ(device->NetnsFd(), -1);
  EXPECT_TRUE(device->Pids().empty());
  EXPECT_EQ(device->Teardown(), 0);
  EXPECT_THROW(device->Spawn({{"true"}, "", ""}), SystemError);
}

TEST_F(DeviceTest, PidsLimitStopsAForkBomb) {
  spec_.pids_limit = 32;
  auto device = Device::Start(spec_);
  device->Spawn({{"sh", "-c", "for i in $(seq 100); do sleep 100 & done"},
                 "/home/agent", "/home/agent/bomb.log"});
  // Let the loop run to its end (forks fail fast once at the limit).
  size_t peak = 0;
  WaitUntil(
      [&] {
        peak = std::max(peak, device->Pids().size());
        return false;
      },
      1.5);
  EXPECT_LE(peak, 32u);
  EXPECT_GE(peak, 20u);  // the loop did run: the limit, not a failure, held it
  EXPECT_TRUE(Contains(ReadFileOrEmpty(home() + "/bomb.log"), "fork"))
      << ReadFileOrEmpty(home() + "/bomb.log");
}

TEST_F(DeviceTest, MemoryLimitStopsAMemoryBomb) {
  spec_.memory_limit_bytes = 64ull << 20;
  auto device = Device::Start(spec_);
  std::string out = RunScript(
      *device,
      "python3 -c \"b = b'x' * (512 << 20); print('survived')\"; echo rc=$?");
  EXPECT_TRUE(Contains(out, "rc=137")) << out;  // SIGKILL from the OOM killer
  EXPECT_FALSE(Contains(out, "survived")) << out;
  EXPECT_TRUE(device->Alive());
}

// How a spawned process ended comes from devinit (its parent), what the
// limits did from the cgroup: a start-up failure can name an OOM kill.
TEST_F(DeviceTest, ExitStatusAndLimitEventsAreReported) {
  spec_.memory_limit_bytes = 64ull << 20;
  spec_.pids_limit = 32;
  auto device = Device::Start(spec_);
  EXPECT_EQ(device->LimitEvents(), "");
  pid_t exits = device->Spawn({{"sh", "-c", "exit 3"}, "", ""});
  pid_t killed = device->Spawn({{"sh", "-c", "kill -9 $$"}, "", ""});
  pid_t bomb = device->Spawn(
      {{"python3", "-c", "b = b'x' * (512 << 20)"}, "", ""});
  pid_t sleeper = device->Spawn({{"sleep", "30"}, "", ""});
  for (pid_t pid : {exits, killed, bomb})
    EXPECT_TRUE(WaitUntil([&] { return !ProcessAlive(pid); }, 10));
  EXPECT_EQ(device->ExitReport(exits), "exit status 3");
  EXPECT_EQ(device->ExitReport(killed), "killed by signal 9 (Killed)");
  EXPECT_EQ(device->ExitReport(bomb), "killed by signal 9 (Killed)");
  EXPECT_EQ(device->ExitReport(sleeper), "");  // still running
  EXPECT_EQ(device->ExitReport(::getpid()), "");  // not the device's
  device->Spawn({{"sh", "-c", "for i in $(seq 60); do sleep 30 & done"}, "", ""});
  std::string events;
  WaitUntil([&] {
    events = device->LimitEvents();
    return Contains(events, "pids max");
  }, 5);
  EXPECT_TRUE(Contains(events, "memory")) << events;
  EXPECT_TRUE(Contains(events, "pids max")) << events;
}

TEST_F(DeviceTest, SpawnFailuresAreReported) {
  spec_.hidden_programs = {"nohup"};
  auto device = Device::Start(spec_);
  try {
    device->Spawn({{"no-such-program"}, "/home/agent", ""});
    FAIL() << "spawned a program that does not exist";
  } catch (const SystemError& e) {
    EXPECT_EQ(e.error_code(), ENOENT);
    EXPECT_TRUE(Contains(e.what(), "execvp(\"no-such-program\")")) << e.what();
  }
  try {
    device->Spawn({{"true"}, "/nowhere", ""});
    FAIL() << "spawned in a missing directory";
  } catch (const SystemError& e) {
    EXPECT_TRUE(Contains(e.what(), "chdir(\"/nowhere\")")) << e.what();
  }
  EXPECT_THROW(device->Spawn({{"nohup", "true"}, "/home/agent", ""}),
               SystemError);
  EXPECT_THROW(device->Spawn({{"true"}, "/home/agent", "/no/dir/log"}),
               SystemError);
  EXPECT_THROW(device->Spawn({{}, "/home/agent", ""}), InputError);
  // The channel still works after failures.
  EXPECT_GT(device->Spawn({{"true"}, "/home/agent", ""}), 0);
  std::string out = RunScript(*device, "nohup true; echo rc=$?");
  EXPECT_TRUE(Contains(out, "rc=126") || Contains(out, "rc=127")) << out;
}

TEST_F(DeviceTest, StartRejectsBadSpecsAndDuplicateNames) {
  DeviceSpec bad = spec_;
  bad.name = "bad/name";
  EXPECT_THROW(Device::Start(bad), InputError);
  bad = spec_;
  bad.devinit_path = "/nonexistent/devinit";
  EXPECT_THROW(Device::Start(bad), InputError);
  auto device = Device::Start(spec_);
  EXPECT_THROW(Device::Start(spec_), InputError);
  EXPECT_TRUE(device->Alive());
}

TEST_F(DeviceTest, DeviceOutlivesTheThreadThatStartedIt) {
  std::unique_ptr<Device> device;
  std::string error;
  std::thread([&] {
    try {
      device = Device::Start(spec_);
    } catch (const std::exception& e) {
      error = e.what();
    }
  }).join();
  ASSERT_TRUE(device) << error;
  SleepSeconds(0.2);
  ASSERT_TRUE(device->Alive());
  EXPECT_GT(device->Spawn({{"true"}, "/home/agent", ""}), 0);
}

TEST_F(DeviceTest, DevicesRunInParallel) {
  std::vector<std::unique_ptr<Device>> devices(3);
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i)
    threads.emplace_back([&, i] {
      DeviceSpec spec = spec_;
      spec.name += "-" + std::to_string(i);
      // Each its own home, as trials have: a home becomes the device's tmpfs.
      spec.home_dir = home() + "-" + std::to_string(i);
      try {
        MakeDirs(spec.home_dir);
        devices[i] = Device::Start(spec);
        devices[i]->Spawn({{"sleep", "1000"}, "/home/agent", ""});
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
    });
  for (std::thread& t : threads) t.join();
  for (auto& d : devices) {
    ASSERT_TRUE(d);
    EXPECT_TRUE(d->Alive());
  }
  threads.clear();
  for (int i = 0; i < 3; ++i)
    threads.emplace_back([&, i] { EXPECT_EQ(devices[i]->Teardown(), 2); });
  for (std::thread& t : threads) t.join();
}

// A harness process that dies by SIGKILL takes its devices with it; the
// next run removes the cgroups it left.
TEST_F(DeviceTest, KillingTheHarnessKillsItsDevices) {
  int report[2];
  ASSERT_EQ(::pipe(report), 0);
  // Orphans of the killed harness (its bwrap) come to us, not to host init,
  // so the test can reap them and leave no zombie behind.
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  pid_t harness = ::fork();
  if (harness == 0) {
    ::close(report[0]);
    try {
      auto device = Device::Start(spec_);
      pid_t sleeper = device->Spawn({{"sleep", "1000"}, "/home/agent", ""});
      pid_t init = device->InitPid();
      pid_t pids[2] = {sleeper, init};
      if (::write(report[1], pids, sizeof pids) != sizeof pids) ::_exit(2);
      device.release();  // never torn down: we are about to be killed
      ::pause();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "harness child: %s\n", e.what());
    }
    ::_exit(1);
  }
  ::close(report[1]);
  pid_t pids[2] = {0, 0};
  ssize_t n = ::read(report[0], pids, sizeof pids);
  ::close(report[0]);
  ASSERT_EQ(n, static_cast<ssize_t>(sizeof pids));
  uint64_t harness_ticks = ProcessStartTicks(harness);
  EXPECT_TRUE(ProcessAlive(pids[0]));
  ::kill(harness, SIGKILL);
  ::waitpid(harness, nullptr, 0);
  EXPECT_TRUE(WaitUntil([&] { return !ProcessAlive(pids[0]); }, 3));
  // PID 1 finishes dying only after the kernel has reaped the rest of its
  // namespace, so it may still be exiting a moment after the sleeper.
  EXPECT_TRUE(WaitUntil([&] { return !ProcessAlive(pids[1]); }, 3));
  // No device exists in this process now, so waiting for any child is safe.
  EXPECT_TRUE(WaitUntil(
      [] {
        while (::waitpid(-1, nullptr, WNOHANG) > 0) {
        }
        return ::waitpid(-1, nullptr, WNOHANG) < 0 && errno == ECHILD;
      },
      3));
  ::prctl(PR_SET_CHILD_SUBREAPER, 0);

  std::string relative = std::string(kCgroupTop) + "/" +
                         std::to_string(harness) + "-" +
                         std::to_string(harness_ticks) + "/" + spec_.name;
  std::string root = DetectCgroupLayout().Roots()[0];
  ASSERT_TRUE(PathExists(root + "/" + relative));
  std::vector<std::string> lines = RemoveStaleDevices();
  bool reported = false;
  for (const std::string& line : lines)
    reported |= line.starts_with("removed stale device cgroup " + relative);
  // Another redline process running RemoveStaleDevices at the same moment
  // may have removed it first; then only the removal can be checked.
  EXPECT_TRUE(reported || !PathExists(root + "/" + relative))
      << ::testing::PrintToString(lines);
  EXPECT_FALSE(PathExists(root + "/" + relative));
  EXPECT_FALSE(PathExists(root + "/" + relative.substr(0, relative.rfind('/'))));
}

// Runs after every test of this binary: nothing of ours is left.
class NoLeftovers : public ::testing::Environment {
 public:
  void TearDown() override {
    for (const std::string& root : DetectCgroupLayout().Roots())
      EXPECT_FALSE(PathExists(root + "/" + OwnerCgroupPath()))
          << "left behind: " << root << "/" << OwnerCgroupPath();
  }
};
const auto* const kNoLeftovers =
    ::testing::AddGlobalTestEnvironment(new NoLeftovers);

}  // namespace
}  // namespace redline
