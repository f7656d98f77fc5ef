// Device primitives that containment relies on: absent programs, the disk
// limit of the home, and reboot requests that end the device only. Real
// devices: needs root and bubblewrap.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sys/stat.h>

#include "base/files.h"
#include "base/random.h"
#include "device/device.h"
#include "device/test_support.h"

namespace redline {
namespace {

bool Mounted(const std::string& point) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.find(" " + point + " ") != std::string::npos) return true;
  return false;
}

class ContainmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access("/usr/bin/bwrap", X_OK) != 0) GTEST_SKIP() << "no bwrap";
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    MakeDirs(home());
    MakeDirs(dir_.path() + "/broker");
    spec_.name = "ct-" + RandomToken(8);
    spec_.home_dir = home();
    spec_.broker_dir = dir_.path() + "/broker";
    spec_.devinit_path = dir_.path() + "/devinit";
    CopyFile(REDLINE_DEVINIT_PATH, spec_.devinit_path);
    spec_.memory_limit_bytes = 256ull << 20;
    spec_.pids_limit = 64;
  }
  std::string home() const { return dir_.path() + "/home"; }

  std::string RunScript(Device& device, const std::string& script) {
    std::string log = "log-" + RandomToken(6);
    device.Spawn({{"/bin/bash", "-c", script + "\necho END"}, kDeviceHome,
                  std::string(kDeviceHome) + "/" + log});
    std::string path = home() + "/" + log;
    WaitUntil([&] { return ReadFileOrEmpty(path).ends_with("END\n"); }, 10);
    return ReadFileOrEmpty(path);
  }

  ScopedTempDir dir_;
  DeviceSpec spec_;
};

TEST_F(ContainmentTest, AbsentProgramIsNotFoundInsideAndStaysOnTheHost) {
  if (::access("/usr/bin/ss", X_OK) != 0) GTEST_SKIP() << "no /usr/bin/ss";
  spec_.absent_programs = {"ss", "no-such-program-here"};
  auto device = Device::Start(spec_);
  std::string out = RunScript(
      *device,
      "ss -l >/dev/null 2>&1; echo rc=$?; ls /usr/bin/ss 2>/dev/null; "
      "echo ls=$?; ls /usr/bin | grep -cx ss; command -v ss; echo cv=$?; "
      "ip -V >/dev/null 2>&1; echo ip=$?");
  EXPECT_NE(out.find("rc=127\n"), std::string::npos) << out;
  EXPECT_NE(out.find("ls=2\n0\n"), std::string::npos) << out;
  EXPECT_NE(out.find("cv=1\n"), std::string::npos) << out;
  // Its neighbours are still there.
  EXPECT_NE(out.find("ip=0\n"), std::string::npos) << out;
  EXPECT_EQ(::access("/usr/bin/ss", X_OK), 0);
  EXPECT_FALSE(Mounted("/usr/bin"));
  device->Teardown();
}

TEST_F(ContainmentTest, HomeCannotGrowPastTheDiskLimitAndComesBack) {
  spec_.disk_limit_bytes = 8ull << 20;
  WriteFileAtomic(home() + "/deployed.txt", "from the harness\n");
  auto device = Device::Start(spec_);
  EXPECT_TRUE(Mounted(home()));
  std::string out = RunScript(
      *device,
      "cat deployed.txt; echo made > made.txt; rm deployed.txt; "
      "dd if=/dev/zero of=big bs=1M count=32 2>/dev/null; echo dd=$?");
  EXPECT_NE(out.find("from the harness\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("dd=0\n"), std::string::npos) << out;
  device->Teardown();
  EXPECT_FALSE(Mounted(home()));
  struct stat st;
  ASSERT_EQ(::stat((home() + "/big").c_str(), &st), 0);
  EXPECT_LE(st.st_size, 8 << 20);
  EXPECT_GT(st.st_size, 1 << 20);
  EXPECT_EQ(ReadFileOrEmpty(home() + "/made.txt"), "made\n");
  EXPECT_FALSE(PathExists(home() + "/deployed.txt"));
}

TEST_F(ContainmentTest, RebootEndsThisDeviceOnlyAndIsReported) {
  auto other_spec = spec_;
  other_spec.name = "ct-other-" + RandomToken(6);
  auto device = Device::Start(spec_);
  ScopedTempDir other_dir;
  MakeDirs(other_dir.path() + "/home");
  other_spec.home_dir = other_dir.path() + "/home";
  auto other = Device::Start(other_spec);
  // Not a reboot: systemctl's other verbs fail as in a container.
  std::string out = RunScript(*device, "systemctl status; echo sc=$?");
  EXPECT_NE(out.find("sc=1\n"), std::string::npos) << out;
  EXPECT_TRUE(device->Alive());
  EXPECT_FALSE(device->Rebooted());
  device->Spawn({{"reboot"}, "", ""});
  EXPECT_TRUE(WaitUntil([&] { return !device->Alive(); }, 5));
  EXPECT_TRUE(device->Rebooted());
  EXPECT_TRUE(other->Alive());
  device->Teardown();
  EXPECT_TRUE(device->Rebooted());
  other->Teardown();
  EXPECT_FALSE(other->Rebooted());
}

TEST_F(ContainmentTest, ShutdownCommandsAndSigintToInitAllEndTheDevice) {
  for (std::string command : {"poweroff", "halt", "shutdown -h now",
                              "systemctl reboot", "kill -INT 1"}) {
    spec_.name = "ct-" + RandomToken(8);
    auto device = Device::Start(spec_);
    device->Spawn({{"/bin/bash", "-c", command}, "", ""});
    EXPECT_TRUE(WaitUntil([&] { return !device->Alive(); }, 5)) << command;
    EXPECT_TRUE(device->Rebooted()) << command;
    device->Teardown();
  }
}

}  // namespace
}  // namespace redline
