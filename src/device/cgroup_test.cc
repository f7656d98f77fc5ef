#include "device/cgroup.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/error.h"
#include "base/files.h"
#include "base/random.h"
#include "device/launch.h"
#include "device/proc.h"
#include "device/test_support.h"

namespace redline {
namespace {

// Starts `argv` as a member of `cgroup`, the way a device's bwrap starts.
pid_t StartIn(const Cgroup& cgroup, std::vector<std::string> argv) {
  std::vector<UniqueFd> procs = cgroup.OpenProcsFiles();
  UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
  LaunchPlan plan;
  plan.argv = std::move(argv);
  for (const UniqueFd& fd : procs) plan.cgroup_procs_fds.push_back(fd.get());
  plan.inherited_fd = null.get();
  plan.stderr_fd = null.get();
  return LaunchProcess(plan);
}

std::string TestPath() {
  return OwnerCgroupPath() + "/cg-test-" + RandomToken(6);
}

class CgroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "creating cgroups needs root";
    layout_ = DetectCgroupLayout();
  }
  CgroupLayout layout_;
};

TEST_F(CgroupTest, DetectsTheMachinesLayout) {
  bool v2 = PathExists("/sys/fs/cgroup/cgroup.controllers");
  EXPECT_EQ(layout_.version == CgroupVersion::kV2, v2);
  ASSERT_FALSE(layout_.Roots().empty());
  for (const std::string& root : layout_.Roots())
    EXPECT_TRUE(PathExists(root + "/cgroup.procs")) << root;
}

TEST_F(CgroupTest, OwnerNamesThisProcess) {
  std::string owner = OwnerCgroupPath();
  ASSERT_TRUE(owner.starts_with("redline/"));
  EXPECT_TRUE(OwnerAlive(owner.substr(8)));
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  uint64_t ticks = ProcessStartTicks(child);
  ::waitpid(child, nullptr, 0);
  EXPECT_FALSE(OwnerAlive(std::to_string(child) + "-" + std::to_string(ticks)));
  EXPECT_FALSE(OwnerAlive(std::to_string(::getpid()) + "-1"));
  EXPECT_FALSE(OwnerAlive("garbage"));
}

TEST_F(CgroupTest, MembersAreListedKilledAndTheCgroupRemoved) {
  Cgroup cgroup = Cgroup::Create(layout_, TestPath(), {64 << 20, 16});
  std::vector<std::string> dirs = cgroup.Dirs();
  for (const std::string& dir : dirs) EXPECT_TRUE(PathExists(dir)) << dir;
  std::string pids_dir = layout_.version == CgroupVersion::kV2
                             ? dirs[0] : layout_.pids + "/" + cgroup.relative();
  EXPECT_EQ(ReadFileOrEmpty(pids_dir + "/pids.max"), "16\n");
  pid_t pid = StartIn(cgroup, {"/usr/bin/sleep", "1000"});
  EXPECT_EQ(cgroup.Pids(), std::vector<pid_t>{pid});
  EXPECT_EQ(cgroup.Kill(5), 1);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  EXPECT_TRUE(cgroup.Pids().empty());
  cgroup.Remove();
  for (const std::string& dir : dirs) EXPECT_FALSE(PathExists(dir)) << dir;
  cgroup.Remove();  // idempotent
}

TEST_F(CgroupTest, KillStopsAForkBomb) {
  Cgroup cgroup = Cgroup::Create(layout_, TestPath(), {0, 64});
  pid_t pid = StartIn(cgroup, {"/bin/sh", "-c", "while :; do sleep 100 & done"});
  ASSERT_TRUE(WaitUntil([&] { return cgroup.Pids().size() >= 30; }, 5));
  EXPECT_GE(cgroup.Kill(5), 30);
  EXPECT_TRUE(cgroup.Pids().empty());
  ::waitpid(pid, nullptr, 0);
}

TEST_F(CgroupTest, ANameCannotBeTakenTwice) {
  std::string path = TestPath();
  Cgroup first = Cgroup::Create(layout_, path, {});
  EXPECT_THROW(Cgroup::Create(layout_, path, {}), InputError);
  for (const std::string& dir : first.Dirs()) EXPECT_TRUE(PathExists(dir));
}

TEST_F(CgroupTest, DestructorCleansUp) {
  std::vector<std::string> dirs;
  pid_t pid;
  {
    Cgroup cgroup = Cgroup::Create(layout_, TestPath(), {});
    dirs = cgroup.Dirs();
    pid = StartIn(cgroup, {"/usr/bin/sleep", "1000"});
  }
  ::waitpid(pid, nullptr, 0);
  for (const std::string& dir : dirs) EXPECT_FALSE(PathExists(dir));
}

// Exercises the v2 code path (cgroup.kill) on a v1 machine's hybrid
// unified hierarchy; limits need controllers, which it lacks.
TEST_F(CgroupTest, V2KillAndRemoveWork) {
  CgroupLayout v2;
  v2.version = CgroupVersion::kV2;
  v2.unified = layout_.version == CgroupVersion::kV2 ? layout_.unified
                                                     : "/sys/fs/cgroup/unified";
  if (!PathExists(v2.unified + "/cgroup.procs"))
    GTEST_SKIP() << "no cgroup v2 hierarchy";
  Cgroup cgroup = Cgroup::Create(v2, TestPath(), {});
  pid_t pid = StartIn(cgroup, {"/usr/bin/sleep", "1000"});
  EXPECT_EQ(cgroup.Pids(), std::vector<pid_t>{pid});
  EXPECT_EQ(cgroup.Kill(5), 1);
  ::waitpid(pid, nullptr, 0);
  std::vector<std::string> dirs = cgroup.Dirs();
  cgroup.Remove();
  EXPECT_FALSE(PathExists(dirs[0]));
}

TEST(LaunchTest, ReportsTheStepThatFailed) {
  UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
  LaunchPlan plan;
  plan.argv = {"/nonexistent/program"};
  plan.inherited_fd = null.get();
  plan.stderr_fd = null.get();
  try {
    LaunchProcess(plan);
    FAIL() << "launched a program that does not exist";
  } catch (const SystemError& e) {
    EXPECT_EQ(e.error_code(), ENOENT);
    EXPECT_NE(std::string(e.what()).find("execve(\"/nonexistent/program\")"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace redline
