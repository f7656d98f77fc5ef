#include "device/device_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/files.h"
#include "base/random.h"

namespace redline {
namespace {

class DeviceFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = "/tmp/rl-device-files-" + RandomToken(8);
    MakeDirs(root_ + "/logs");
  }
  void TearDown() override { RemoveTree(root_); }
  std::string root_;
};

TEST_F(DeviceFilesTest, ReadsTheTailOfARegularFile) {
  WriteFileAtomic(root_ + "/logs/a.log", "0123456789");
  EXPECT_EQ(ReadDeviceFileTail(root_, "logs/a.log", 4), "6789");
  EXPECT_EQ(ReadDeviceFileTail(root_, "logs/a.log", 100), "0123456789");
  EXPECT_EQ(ReadDeviceFileTail(root_, "logs/none.log", 100), std::nullopt);
}

TEST_F(DeviceFilesTest, FollowsNoSymlinkAndOpensNoFifoOrDevice) {
  WriteFileAtomic(root_ + "/secret", "host secret");
  ASSERT_EQ(::symlink((root_ + "/secret").c_str(), (root_ + "/logs/link.log").c_str()), 0);
  EXPECT_EQ(ReadDeviceFileTail(root_, "logs/link.log", 100), std::nullopt);
  // A symlinked directory on the way is refused too.
  ASSERT_EQ(::symlink(root_.c_str(), (root_ + "/dirlink").c_str()), 0);
  EXPECT_EQ(ReadDeviceFileTail(root_, "dirlink/secret", 100), std::nullopt);
  ASSERT_EQ(::symlink("/dev/zero", (root_ + "/logs/zero.log").c_str()), 0);
  EXPECT_EQ(ReadDeviceFileTail(root_, "logs/zero.log", 100), std::nullopt);
  ASSERT_EQ(::mkfifo((root_ + "/logs/fifo.log").c_str(), 0644), 0);
  EXPECT_EQ(ReadDeviceFileTail(root_, "logs/fifo.log", 100), std::nullopt);
  EXPECT_EQ(ReadDeviceFileTail(root_, "logs/../secret", 100), std::nullopt);
  EXPECT_EQ(ReadDeviceFileTail(root_, "/secret", 100), std::nullopt);
}

}  // namespace
}  // namespace redline
