// A device's copy-on-write view of the weights: real overlays, real
// devices. Needs root and bubblewrap.
#include "device/weights_view.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "base/error.h"
#include "base/files.h"
#include "base/random.h"
#include "device/device.h"
#include "device/test_support.h"

namespace redline {
namespace {

namespace fs = std::filesystem;

constexpr char kInHome[] = "ai-system/local_model_weights";

bool MountedAt(const std::string& point) {
  std::ifstream in("/proc/self/mountinfo");
  for (std::string line; std::getline(in, line);)
    if (line.find(" " + point + " ") != std::string::npos) return true;
  return false;
}

class WeightsViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "mounting an overlay needs root";
    MakeDirs(weights());
    MakeDirs(weights() + "/sub");
    WriteFileAtomic(weights() + "/big.bin", RandomToken(4 << 20));
    WriteFileAtomic(weights() + "/config.json", "{\"hidden_size\": 8}\n");
    ::chmod((weights() + "/config.json").c_str(), 0600);  // the user's own
    WriteFileAtomic(weights() + "/sub/extra", "x\n");
    MakeDirs(at());
    ::chmod(dir_.path().c_str(), 0755);
  }
  std::string weights() const { return dir_.path() + "/weights"; }
  std::string home() const { return dir_.path() + "/home"; }
  std::string at() const { return home() + "/" + kInHome; }

  DeviceSpec Spec() {
    DeviceSpec spec;
    spec.name = "wv-" + RandomToken(8);
    spec.home_dir = home();
    MakeDirs(dir_.path() + "/broker");
    spec.broker_dir = dir_.path() + "/broker";
    spec.devinit_path = dir_.path() + "/devinit";
    CopyFile(REDLINE_DEVINIT_PATH, spec.devinit_path);
    spec.memory_limit_bytes = 512ull << 20;
    spec.pids_limit = 128;
    spec.weights_view_source = weights();
    spec.weights_view_in_home = kInHome;
    return spec;
  }
  std::string Run(Device& device, const std::string& script) {
    std::string log = "log-" + RandomToken(6);
    device.Spawn({{"/bin/sh", "-c", script + "\necho END"},
                  std::string(kDeviceHome) + "/" + kInHome + "/..",
                  std::string(kDeviceHome) + "/" + log});
    std::string path = home() + "/" + log;
    WaitUntil([&] { return ReadFileOrEmpty(path).ends_with("END\n"); }, 20);
    return ReadFileOrEmpty(path);
  }

  ScopedTempDir dir_;
};

// What the device does to its view changes its view only: the folder is as
// it was, and after teardown nothing is mounted and nothing is left.
TEST_F(WeightsViewTest, TheDeviceOwnsAWritableViewAndTheFolderStaysAsItWas) {
  std::string big = ReadFile(weights() + "/big.bin");
  auto device = Device::Start(Spec());
  std::string out = Run(*device,
                        "cd local_model_weights && ls -a && cat config.json && "
                        "[ \"$(stat -c %u big.bin sub)\" = \"$(id -u)\n$(id -u)\" ] && echo owned; "
                        "echo more >> big.bin && "
                        "rm sub/extra && mkdir new && cp big.bin new/copy && "
                        "echo changed");
  EXPECT_NE(out.find("changed"), std::string::npos) << out;
  EXPECT_NE(out.find("hidden_size"), std::string::npos) << out;
  EXPECT_NE(out.find("owned"), std::string::npos) << out;
  EXPECT_EQ(out.find(".cow"), std::string::npos) << out;  // the layers are hidden
  EXPECT_EQ(ReadFile(weights() + "/big.bin"), big);
  EXPECT_TRUE(PathExists(weights() + "/sub/extra"));
  EXPECT_FALSE(PathExists(weights() + "/new"));
  struct stat st;
  ASSERT_EQ(::stat((weights() + "/config.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0u);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  device->Teardown();
  EXPECT_FALSE(MountedAt(at()));
  EXPECT_TRUE(fs::is_empty(at())) << "the view left files in " << at();
  EXPECT_EQ(ReadFile(weights() + "/big.bin"), big);
}

TEST_F(WeightsViewTest, WhatTheDeviceWritesCountsAgainstItsDiskLimit) {
  DeviceSpec spec = Spec();
  spec.disk_limit_bytes = 16ull << 20;  // a tmpfs home: the upper layer is in it
  auto device = Device::Start(spec);
  std::string out = Run(*device,
                        "cd local_model_weights && cat big.bin big.bin > two && echo read; "
                        "head -c 32M /dev/zero > fill || echo full");
  EXPECT_NE(out.find("read"), std::string::npos) << out;  // 4 MiB of view cost nothing
  EXPECT_NE(out.find("full"), std::string::npos) << out;
  device->Teardown();
  EXPECT_FALSE(MountedAt(at()));
  EXPECT_TRUE(fs::is_empty(at()));
}

TEST_F(WeightsViewTest, ALinkOutOfTheFolderMeansACopy) {
  EXPECT_EQ(WeightsViewUnavailable(weights(), at()), "");
  ASSERT_EQ(::symlink("sub/extra", (weights() + "/inside").c_str()), 0);
  EXPECT_EQ(WeightsViewUnavailable(weights(), at()), "");  // stays in the folder
  ASSERT_EQ(::symlink("../../blobs/abc", (weights() + "/sub/model.safetensors").c_str()), 0);
  std::string why = WeightsViewUnavailable(weights(), at());
  EXPECT_NE(why.find("sub/model.safetensors is a symbolic link to ../../blobs/abc"),
            std::string::npos) << why;
  ::unlink((weights() + "/sub/model.safetensors").c_str());
  ASSERT_EQ(::symlink("/models/x", (weights() + "/abs").c_str()), 0);
  EXPECT_NE(WeightsViewUnavailable(weights(), at()).find("abs is a symbolic link"),
            std::string::npos);
  EXPECT_FALSE(MountedAt(at()));  // the tries leave nothing
  EXPECT_TRUE(fs::is_empty(at()));
}

TEST_F(WeightsViewTest, WithoutRootTheReasonSaysSo) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  pid_t child = ::fork();
  if (child == 0) {
    ::close(pipe_fds[0]);
    if (::setresuid(65534, 65534, 65534) != 0) ::_exit(3);
    std::string why = WeightsViewUnavailable(weights(), at());
    (void)!::write(pipe_fds[1], why.data(), why.size());
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  std::string why;
  char buf[512];
  for (ssize_t n; (n = ::read(pipe_fds[0], buf, sizeof buf)) > 0;) why.append(buf, n);
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_NE(why.find("needs root (redline runs as uid 65534)"), std::string::npos) << why;
}

TEST_F(WeightsViewTest, AViewOfAHarnessThatDiedIsRemoved) {
  pid_t child = ::fork();
  if (child == 0) {
    try {
      WeightsView* leaked = new WeightsView(weights(), at());
      (void)leaked;
    } catch (...) {
      ::_exit(3);
    }
    ::_exit(0);  // dies holding it: the mount stays on the host
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_EQ(WEXITSTATUS(status), 0);
  ASSERT_TRUE(MountedAt(at()));
  std::vector<std::string> lines = RemoveStaleWeightViews();
  bool named = false;
  for (const std::string& line : lines) named |= line.find(at()) != std::string::npos;
  EXPECT_TRUE(named);
  EXPECT_FALSE(MountedAt(at()));
  EXPECT_TRUE(fs::is_empty(at()));
}

}  // namespace
}  // namespace redline
