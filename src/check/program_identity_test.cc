// Program identity against real processes: copies, renames, exec -a and the
// dynamic loader run the program; a script that maps the program's code, a
// patched copy and another program do not.
#include "check/program_identity.h"

#include <signal.h>
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
  std::string lib;
  for (const auto& dir : {"/lib", "/usr/lib"})
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.is_directory() && fs::exists(entry.path() / "libm.so.6"))
        lib = (entry.path() / "libm.so.6").string();
  if (lib.empty()) GTEST_SKIP() << "no libm.so.6 to preload";
  std::string copy = dir_ + "/hook.so";
  fs::copy_file(lib, copy);
  Child c({"/usr/bin/env", "LD_PRELOAD=" + copy, copy_, "30"});
  Settle(c.pid(), copy_);
  RunningProgram seen;
  EXPECT_FALSE(RunsProgram(c.pid(), want_, &seen)) << DescribeProgram(seen);
  EXPECT_EQ(seen.foreign_code, copy);
}

TEST_F(ProgramIdentityTest, AGoneProcessRunsNothing) {
  EXPECT_FALSE(RunsProgram(999999999, want_));
  EXPECT_FALSE(ReadRunningProgram(999999999).found);
}

}  // namespace
}  // namespace redline
