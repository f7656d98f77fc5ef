// RunCaptured with real programs (sh, env, cat, id).
#include "base/captured_run.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>

#include "base/clock.h"

namespace redline {
namespace {

CapturedRun Sh(const std::string& script, CapturedRunOptions options = {}) {
  return RunCaptured({"/bin/sh", "-c", script}, options);
}

TEST(CapturedRunTest, MergesStderrIntoStdoutAndTrimsIt) {
  CapturedRun run = Sh("echo out; echo err >&2; echo");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_FALSE(run.timed_out);
  EXPECT_EQ(run.out, "out\nerr");
  EXPECT_EQ(run.err, "");
}

TEST(CapturedRunTest, KeepsSeparateStdoutAsPrinted) {
  CapturedRunOptions options;
  options.separate_stderr = true;
  CapturedRun run = Sh("echo out; echo err >&2", options);
  EXPECT_EQ(run.out, "out\n");
  EXPECT_EQ(run.err, "err");
}

TEST(CapturedRunTest, ReportsExitStatusAndSignal) {
  EXPECT_EQ(Sh("exit 3").exit_code, 3);
  EXPECT_EQ(Sh("kill -TERM $$").exit_code, 128 + 15);
}

TEST(CapturedRunTest, ProgramThatCannotRunIs127) {
  CapturedRun missing = RunCaptured({"redline-no-such-program"});
  EXPECT_EQ(missing.exit_code, 127);
  EXPECT_NE(missing.out.find("redline-no-such-program: not found in PATH"),
            std::string::npos)
      << missing.out;
  EXPECT_EQ(RunCaptured({"/nonexistent/program"}).exit_code, 127);
}

TEST(CapturedRunTest, SaysWhatCouldNotRunWhereStderrGoes) {
  CapturedRunOptions options;
  options.separate_stderr = true;
  CapturedRun missing = RunCaptured({"redline-no-such-program"}, options);
  EXPECT_EQ(missing.out, "");
  EXPECT_NE(missing.err.find("not found in PATH"), std::string::npos) << missing.err;
  CapturedRun unexecutable = RunCaptured({"/etc/hostname"}, options);
  EXPECT_EQ(unexecutable.exit_code, 127);
  EXPECT_EQ(unexecutable.err, "cannot execute /etc/hostname");
}

TEST(CapturedRunTest, FindsAProgramByNameInThePathItGives) {
  CapturedRunOptions options;
  options.path = "/nonexistent:/bin";
  CapturedRun run = RunCaptured({"sh", "-c", "echo found"}, options);
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out, "found");
  EXPECT_EQ(FindInPath("sh", "/nonexistent:/bin"), "/bin/sh");
  EXPECT_EQ(FindInPath("sh", "/nonexistent"), "");
  EXPECT_EQ(FindInPath("bin", "/usr"), "");  // a directory is not a program
}

TEST(CapturedRunTest, KillsAProgramPastItsTimeLimit) {
  CapturedRunOptions options;
  options.timeout_seconds = 0.3;
  double start = MonotonicSeconds();
  CapturedRun run = RunCaptured({"/bin/sleep", "60"}, options);
  EXPECT_LT(MonotonicSeconds() - start, 30);
  EXPECT_TRUE(run.timed_out);
  EXPECT_EQ(run.exit_code, -1);
}

// A child that closes its output but does not exit is killed at the limit
// too, not waited for.
TEST(CapturedRunTest, KillsAProgramThatClosedItsOutputButGoesOn) {
  CapturedRunOptions options;
  options.timeout_seconds = 0.3;
  double start = MonotonicSeconds();
  CapturedRun run = Sh("exec >&- 2>&-; exec /bin/sleep 60", options);
  EXPECT_LT(MonotonicSeconds() - start, 30);
  EXPECT_TRUE(run.timed_out);
  EXPECT_EQ(run.exit_code, -1);
}

TEST(CapturedRunTest, KeepsOnlyTheCapAndStillReadsToTheEnd) {
  CapturedRunOptions options;
  options.max_out = 1000;
  // 1 MiB: far more than a pipe holds, so the child would block if the
  // rest were not read.
  CapturedRun run = Sh("head -c 1048576 /dev/zero | tr '\\0' x; echo", options);
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_FALSE(run.timed_out);
  EXPECT_EQ(run.out.size(), 1000u);
  EXPECT_EQ(run.out.find_first_not_of('x'), std::string::npos);
  options.separate_stderr = true;
  options.max_err = 10;
  CapturedRun err = Sh("head -c 1048576 /dev/zero | tr '\\0' e >&2; echo out", options);
  EXPECT_EQ(err.exit_code, 0);
  EXPECT_EQ(err.err, std::string(10, 'e'));
  EXPECT_EQ(err.out, "out\n");
}

// The harness blocks SIGINT and SIGTERM and ignores SIGPIPE; its tools get
// neither.
TEST(CapturedRunTest, TheChildBlocksAndIgnoresNoSignal) {
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &block, &old), 0);
  struct sigaction ignore {}, old_pipe {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &old_pipe);
  CapturedRun run = RunCaptured({"/bin/grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"});
  ::sigaction(SIGPIPE, &old_pipe, nullptr);
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  EXPECT_EQ(run.out, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000") << run.out;
}

TEST(CapturedRunTest, GivesOnlyPathUnlessToldToInherit) {
  ::setenv("REDLINE_CAPTURED_RUN_TEST", "inherited", 1);
  CapturedRun own = RunCaptured({"/usr/bin/env"});
  EXPECT_EQ(own.out, std::string("PATH=") + kSystemPath);
  CapturedRunOptions options;
  options.inherit_environment = true;
  CapturedRun inherited = RunCaptured({"env"}, options);
  EXPECT_NE(inherited.out.find("REDLINE_CAPTURED_RUN_TEST=inherited"), std::string::npos);
  ::unsetenv("REDLINE_CAPTURED_RUN_TEST");
}

TEST(CapturedRunTest, StdinIsEmpty) {
  CapturedRun run = RunCaptured({"/bin/cat"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out, "");
}

TEST(CapturedRunTest, DropsToAnotherUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  CapturedRunOptions options;
  options.as_uid = 65534;
  CapturedRun run = RunCaptured({"/usr/bin/id", "-u"}, options);
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out, "65534");
}

}  // namespace
}  // namespace redline
