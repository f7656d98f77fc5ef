// Program identity against real processes: copies, renames, exec -a and the
// dynamic loader run the program; a script that maps the program's code, a
// patched copy and another program do not.
#include "check/program_identity.h"

#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "base/clock.h"

extern char** environ;

namespace redline {
namespace {

namespace fs = std::filesystem;

// A child process that lives until the test ends.
class Child {
 public:
  explicit Child(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    if (::posix_spawn(&pid_, args[0], nullptr, nullptr, args.data(), environ) != 0) pid_ = 0;
  }
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = 0;
};

std::string Loader() {
  for (const char* path : {"/lib64/ld-linux-x86-64.so.2", "/lib/ld-linux-aarch64.so.1"})
    if (fs::exists(path)) return path;
  return "";
}

std::string LibmPath() {
  std::string lib;
  for (const auto& dir : {"/lib", "/usr/lib"})
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.is_directory() && fs::exists(entry.path() / "libm.so.6"))
        lib = (entry.path() / "libm.so.6").string();
  return lib;
}

class ProgramIdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rl-identity-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    // `sleep` stands for the system's program: a dynamically linked ELF.
    copy_ = dir_ + "/renamed-helper";
    fs::copy_file("/bin/sleep", copy_);
    fs::permissions(copy_, fs::perms::owner_all);
    want_ = FingerprintFile("/bin/sleep");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Waits until the child has exec'd (its exe is no longer ours, or is
  // `exe` when given).
  void Settle(pid_t pid, const std::string& exe = "") {
    for (int i = 0; i < 200; ++i) {
      RunningProgram p = ReadRunningProgram(pid);
      bool there = exe.empty() ? p.path != fs::read_symlink("/proc/self/exe").string()
                               : p.path == exe;
      if (p.found && there) break;
      SleepSeconds(0.01);
    }
    SleepSeconds(0.05);  // the loader maps the program right after exec
  }

  std::string dir_, copy_;
  ProgramFingerprint want_;
};

TEST_F(ProgramIdentityTest, ARenamedCopyInAnotherFolderRunsTheProgram) {
  Child c({copy_, "30"});
  Settle(c.pid());
  RunningProgram seen;
  EXPECT_TRUE(RunsProgram(c.pid(), want_, &seen)) << DescribeProgram(seen);
  EXPECT_EQ(seen.via, "exe");
}

TEST_F(ProgramIdentityTest, ExecDashAChangesNothing) {
  Child c({"/bin/bash", "-c", "exec -a something-else " + copy_ + " 30"});
  Settle(c.pid());
  EXPECT_TRUE(RunsProgram(c.pid(), want_));
}

TEST_F(ProgramIdentityTest, TheDynamicLoaderRunsTheProgramItLoaded) {
  std::string loader = Loader();
  if (loader.empty()) GTEST_SKIP() << "no dynamic loader at a known path";
  fs::permissions(copy_, fs::perms::owner_read | fs::perms::owner_write);  // lost its run bits
  Child c({loader, copy_, "30"});
  Settle(c.pid());
  RunningProgram seen;
  EXPECT_TRUE(RunsProgram(c.pid(), want_, &seen)) << DescribeProgram(seen);
  EXPECT_EQ(seen.via, "loader");
}

TEST_F(ProgramIdentityTest, AScriptThatMapsTheProgramsCodeDoesNotRunIt) {
  // python maps the binary executable, as a fake might, and only sleeps.
  Child c({"/usr/bin/python3", "-c",
           "import mmap, time\n"
           "f = open('" + copy_ + "', 'rb')\n"
           "m = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ | mmap.PROT_EXEC)\n"
           "time.sleep(30)\n"});
  SleepSeconds(0.5);
  RunningProgram seen;
  EXPECT_FALSE(RunsProgram(c.pid(), want_, &seen)) << DescribeProgram(seen);
}

TEST_F(ProgramIdentityTest, ThePythonInterpreterUnderTheLoaderIsNotTheProgram) {
  std::string loader = Loader();
  if (loader.empty()) GTEST_SKIP() << "no dynamic loader at a known path";
  // Two programs mapped (python3 and the copy): ambiguous, so not the copy.
  Child c({loader, "/usr/bin/python3", "-c",
           "import mmap, time\n"
           "f = open('" + copy_ + "', 'rb')\n"
           "m = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ | mmap.PROT_EXEC)\n"
           "time.sleep(30)\n"});
  SleepSeconds(0.5);
  EXPECT_FALSE(RunsProgram(c.pid(), want_));
}

TEST_F(ProgramIdentityTest, APatchedCopyIsAnotherProgram) {
  { std::ofstream(copy_, std::ios::app) << 'x'; }
  Child c({copy_, "30"});
  Settle(c.pid());
  EXPECT_FALSE(RunsProgram(c.pid(), want_));
}

// Code preloaded from a file the device wrote makes it another program,
// whatever its exe.
TEST_F(ProgramIdentityTest, PreloadedCodeFromElsewhereIsAnotherProgram) {
  std::string lib = LibmPath();
  if (lib.empty()) GTEST_SKIP() << "no libm.so.6 to preload";
  std::string copy = dir_ + "/hook.so";
  fs::copy_file(lib, copy);
  Child c({"/usr/bin/env", "LD_PRELOAD=" + copy, copy_, "30"});
  Settle(c.pid(), copy_);
  RunningProgram seen;
  EXPECT_FALSE(RunsProgram(c.pid(), want_, &seen)) << DescribeProgram(seen);
  EXPECT_EQ(seen.foreign_code, copy);
}

// A GPU container's driver libraries are bound into /usr/lib from a file
// system of their own: that is the host's system, not the device's code.
// What redline mounts itself there is not. (In a private mount namespace of
// a child: the host's /usr is not touched.)
TEST_F(ProgramIdentityTest, LibrariesMountedIntoTheSystemFoldersAreTheSystems) {
  std::string lib = LibmPath();
  if (lib.empty()) GTEST_SKIP() << "no libm.so.6 to preload";
  if (::geteuid() != 0) GTEST_SKIP() << "mounting needs root";
  if (!fs::is_directory("/usr/local/src") || !fs::is_directory("/usr/local/games"))
    GTEST_SKIP() << "no /usr/local/src and /usr/local/games to mount over";
  pid_t child = ::fork();
  if (child == 0) {
    if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) ||
        ::mount("nvidia-driver", "/usr/local/src", "tmpfs", 0, "size=16m") ||
        ::mount("redline-home-1-1", "/usr/local/games", "tmpfs", 0, "size=16m"))
      ::_exit(10);
    fs::copy_file(lib, "/usr/local/src/libcuda.so.1");
    fs::copy_file(lib, "/usr/local/games/hook.so");
    int failures = 0;
    {
      Child driver({"/usr/bin/env", "LD_PRELOAD=/usr/local/src/libcuda.so.1", copy_, "30"});
      Settle(driver.pid(), copy_);
      failures += !RunsProgram(driver.pid(), want_);
    }
    {
      Child hooked({"/usr/bin/env", "LD_PRELOAD=/usr/local/games/hook.so", copy_, "30"});
      Settle(hooked.pid(), copy_);
      failures += RunsProgram(hooked.pid(), want_) ? 2 : 0;
    }
    ::_exit(failures);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_NE(WEXITSTATUS(status), 10) << "could not mount in a private namespace";
  EXPECT_EQ(WEXITSTATUS(status) & 1, 0) << "a driver library bound into /usr is foreign code";
  EXPECT_EQ(WEXITSTATUS(status) & 2, 0) << "a redline mount in /usr counted as the system";
}

TEST_F(ProgramIdentityTest, AGoneProcessRunsNothing) {
  EXPECT_FALSE(RunsProgram(999999999, want_));
  EXPECT_FALSE(ReadRunningProgram(999999999).found);
}

}  // namespace
}  // namespace redline
