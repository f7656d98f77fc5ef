#include "device/device_spec.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "base/error.h"
#include "base/files.h"
#include "device/test_support.h"

namespace redline {
namespace {

class DeviceSpecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spec_.name = "trial-007_b";
    spec_.home_dir = dir_.path() + "/home/../home";
    spec_.broker_dir = dir_.path() + "/broker";
    spec_.devinit_path = "/bin/true";
    MakeDirs(dir_.path() + "/home");
    MakeDirs(dir_.path() + "/broker");
  }
  // The InputError message, or "" if the spec passed.
  std::string Error() {
    try {
      ValidateDeviceSpec(spec_);
      return "";
    } catch (const InputError& e) {
      return e.what();
    }
  }
  ScopedTempDir dir_;
  DeviceSpec spec_;
};

TEST_F(DeviceSpecTest, AcceptsAGoodSpecAndCanonicalizesPaths) {
  DeviceSpec out = ValidateDeviceSpec(spec_);
  EXPECT_EQ(out.home_dir, dir_.path() + "/home");
  EXPECT_EQ(out.devinit_path, "/usr/bin/true");
}

TEST_F(DeviceSpecTest, RejectsBadNames) {
  for (const char* name : {"", "a/b", "a b", "..", "x;rm", "é"}) {
    spec_.name = name;
    EXPECT_NE(Error().find("name"), std::string::npos) << name;
  }
  spec_.name = std::string(65, 'a');
  EXPECT_NE(Error().find("longer than 64"), std::string::npos);
}

TEST_F(DeviceSpecTest, RejectsMissingDirectories) {
  spec_.home_dir = dir_.path() + "/nope";
  EXPECT_NE(Error().find("home_dir"), std::string::npos);
  spec_.home_dir = dir_.path() + "/home";
  spec_.broker_dir = "/bin/true";
  EXPECT_NE(Error().find("broker_dir \"/bin/true\" is not a directory"),
            std::string::npos);
}

TEST_F(DeviceSpecTest, RejectsANonExecutableDevinit) {
  spec_.devinit_path = "/etc/passwd";
  EXPECT_NE(Error().find("is not an executable file"), std::string::npos);
  spec_.devinit_path = "";
  EXPECT_NE(Error().find("devinit_path"), std::string::npos);
}

TEST_F(DeviceSpecTest, RejectsTinyLimitsButAllowsNone) {
  spec_.pids_limit = 2;
  EXPECT_NE(Error().find("pids_limit"), std::string::npos);
  spec_.pids_limit = 0;
  spec_.memory_limit_bytes = 1024;
  EXPECT_NE(Error().find("memory_limit_bytes"), std::string::npos);
  spec_.memory_limit_bytes = 0;
  EXPECT_EQ(Error(), "");
}

TEST_F(DeviceSpecTest, RejectsHiddenProgramPaths) {
  spec_.hidden_programs = {"lsof", "/usr/bin/ss"};
  EXPECT_NE(Error().find("hidden_programs"), std::string::npos);
}

TEST_F(DeviceSpecTest, RejectsBadAbsentProgramsAndATinyDiskLimit) {
  spec_.absent_programs = {"ss", "usr/bin/ss"};
  EXPECT_NE(Error().find("absent_programs entry \"usr/bin/ss\""),
            std::string::npos);
  spec_.absent_programs = {"a:b"};  // would break the overlay's lowerdir
  EXPECT_NE(Error().find("absent_programs"), std::string::npos);
  spec_.absent_programs = {"ss"};
  spec_.disk_limit_bytes = 4096;
  EXPECT_NE(Error().find("disk_limit_bytes \"4096\" must be 0"),
            std::string::npos);
  spec_.disk_limit_bytes = 0;
  EXPECT_EQ(Error(), "");
}

}  // namespace
}  // namespace redline
