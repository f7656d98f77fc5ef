#include "device/bwrap_args.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>

#include "device/seccomp_filter.h"

namespace redline {
namespace {

using Args = std::vector<std::string>;

// Index of the first occurrence of `seq` as consecutive words; -1 if none.
long Find(const Args& args, const Args& seq) {
  auto it = std::search(args.begin(), args.end(), seq.begin(), seq.end());
  return it == args.end() ? -1 : it - args.begin();
}

DeviceSpec Spec() {
  DeviceSpec spec;
  spec.name = "t1";
  spec.home_dir = "/srv/trial/home";
  spec.broker_dir = "/srv/trial/broker";
  spec.devinit_path = "/opt/redline/redline-devinit";
  return spec;
}

HostLayout Host() {
  HostLayout host;
  host.root_entries = {{"bin", "usr/bin"}, {"lib64", ""}};
  host.masked_files = {"/etc/shadow"};
  host.masked_dirs = {"/etc/ssl/private"};
  host.hidden_paths = {"/usr/bin/lsof"};
  return host;
}

TEST(BwrapArgsTest, StartsWithBwrapAndEndsWithDevinit) {
  Args args = BuildBwrapArgs("/usr/bin/bwrap", Spec(), Host());
  ASSERT_GT(args.size(), 6u);
  EXPECT_EQ(args.front(), "/usr/bin/bwrap");
  Args tail(args.end() - 4, args.end());
  EXPECT_EQ(tail, (Args{"--", kDeviceInitPath, "--control-fd", "3"}));
}

TEST(BwrapArgsTest, IsolatesEveryNamespaceAsPid1) {
  Args args = BuildBwrapArgs("bwrap", Spec(), Host());
  for (const char* flag : {"--unshare-all", "--unshare-user", "--disable-userns",
                           "--die-with-parent", "--new-session", "--as-pid-1"})
    EXPECT_GE(Find(args, {flag}), 0) << flag;
  EXPECT_GE(Find(args, {"--uid", "1000", "--gid", "1000"}), 0);
  EXPECT_GE(Find(args, {"--hostname", "device"}), 0);
  EXPECT_LT(Find(args, {"--share-net"}), 0);
  EXPECT_GE(Find(args, {"--seccomp", std::to_string(kDeviceSeccompFd)}), 0);
}

TEST(BwrapArgsTest, JoinsTheTrialNetworkOnlyWhenGivenOne) {
  EXPECT_EQ(Find(BuildBwrapArgs("bwrap", Spec(), Host()), {"--share-net"}), -1);
  DeviceSpec spec = Spec();
  spec.netns_path = "/run/netns/rl1-1-o";
  Args args = BuildBwrapArgs("bwrap", spec, Host());
  long unshare = Find(args, {"--unshare-all"});
  long share = Find(args, {"--share-net"});
  ASSERT_GE(share, 0);
  // bwrap applies flags in order: --share-net must come after --unshare-all.
  EXPECT_GT(share, unshare);
}

TEST(BwrapArgsTest, ReadOnlyBindsComeAfterEtc) {
  DeviceSpec spec = Spec();
  spec.ro_binds = {{"/srv/trial/passwd", "/etc/passwd"}};
  Args args = BuildBwrapArgs("bwrap", spec, Host());
  long etc = Find(args, {"--ro-bind", "/etc", "/etc"});
  long passwd = Find(args, {"--ro-bind", "/srv/trial/passwd", "/etc/passwd"});
  ASSERT_GE(passwd, 0);
  EXPECT_GT(passwd, etc);
}

TEST(BwrapArgsTest, SeccompProgramIsWholeFilterInstructions) {
  const std::string& program = DeviceSeccompProgram();
  ASSERT_GT(program.size(), 8u * FilteredCalls().size());
  EXPECT_EQ(program.size() % 8, 0u);  // struct sock_filter is 8 bytes
}

TEST(BwrapArgsTest, PassesDeviceNodesAtTheirPaths) {
  DeviceSpec spec = Spec();
  spec.device_nodes = {"/dev/nvidia0", "/dev/nvidiactl"};
  Args args = BuildBwrapArgs("bwrap", spec, Host());
  long dev = Find(args, {"--dev", "/dev"});
  long gpu = Find(args, {"--dev-bind", "/dev/nvidia0", "/dev/nvidia0"});
  ASSERT_GE(gpu, 0);
  EXPECT_GT(gpu, dev);  // after the device's own /dev, or it would be hidden
  EXPECT_GE(Find(args, {"--dev-bind", "/dev/nvidiactl", "/dev/nvidiactl"}), 0);
}

TEST(BwrapArgsTest, ClearsTheEnvironmentBeforeSettingIt) {
  Args args = BuildBwrapArgs("bwrap", Spec(), Host());
  long clear = Find(args, {"--clearenv"});
  long home = Find(args, {"--setenv", "HOME", "/home/agent"});
  ASSERT_GE(clear, 0);
  ASSERT_GE(home, 0);
  EXPECT_LT(clear, home);
  EXPECT_GE(Find(args, {"--setenv", "PATH", kDevicePath}), 0);
  EXPECT_GE(Find(args, {"--setenv", "USER", "agent"}), 0);
}

TEST(BwrapArgsTest, BindsSystemReadOnlyAndDeviceDirsWritable) {
  Args args = BuildBwrapArgs("bwrap", Spec(), Host());
  EXPECT_GE(Find(args, {"--ro-bind", "/usr", "/usr"}), 0);
  EXPECT_GE(Find(args, {"--ro-bind", "/etc", "/etc"}), 0);
  EXPECT_GE(Find(args, {"--bind", "/srv/trial/home", "/home/agent"}), 0);
  EXPECT_GE(Find(args, {"--ro-bind", "/opt/redline/redline-devinit",
                        kDeviceInitPath}), 0);
  EXPECT_GE(Find(args, {"--chdir", "/home/agent"}), 0);
  // The broker dir needs /run to exist as a tmpfs first.
  long run = Find(args, {"--tmpfs", "/run"});
  long broker = Find(args, {"--bind", "/srv/trial/broker", "/run/llm-backend"});
  ASSERT_GE(run, 0);
  EXPECT_GT(broker, run);
  EXPECT_GE(Find(args, {"--tmpfs", "/tmp"}), 0);
  EXPECT_GE(Find(args, {"--proc", "/proc"}), 0);
  EXPECT_GE(Find(args, {"--dev", "/dev"}), 0);
}

// Unprivileged devices have no memory cgroup: /tmp and /run get a size.
TEST(BwrapArgsTest, ScratchBytesCapTmpAndRun) {
  Args capped = BuildBwrapArgs("/usr/bin/bwrap", Spec(), Host(), 1 << 20);
  EXPECT_GE(Find(capped, {"--size", "1048576", "--tmpfs", "/tmp"}), 0);
  EXPECT_GE(Find(capped, {"--size", "1048576", "--tmpfs", "/run"}), 0);
  Args plain = BuildBwrapArgs("/usr/bin/bwrap", Spec(), Host());
  EXPECT_EQ(Find(plain, {"--size"}), -1);
}

TEST(BwrapArgsTest, MirrorsTheHostRootEntries) {
  Args args = BuildBwrapArgs("bwrap", Spec(), Host());
  EXPECT_GE(Find(args, {"--symlink", "usr/bin", "/bin"}), 0);
  EXPECT_GE(Find(args, {"--ro-bind", "/lib64", "/lib64"}), 0);
  EXPECT_LT(Find(args, {"--symlink", "usr/lib", "/lib"}), 0);
}

TEST(BwrapArgsTest, MasksAndHidesAfterBindingTheirTrees) {
  Args args = BuildBwrapArgs("bwrap", Spec(), Host());
  long etc = Find(args, {"--ro-bind", "/etc", "/etc"});
  long usr = Find(args, {"--ro-bind", "/usr", "/usr"});
  long shadow = Find(args, {"--ro-bind", "/dev/null", "/etc/shadow"});
  long lsof = Find(args, {"--ro-bind", "/dev/null", "/usr/bin/lsof"});
  long priv = Find(args, {"--perms", "0000", "--tmpfs", "/etc/ssl/private",
                          "--remount-ro", "/etc/ssl/private"});
  EXPECT_GT(shadow, etc);
  EXPECT_GT(priv, etc);
  EXPECT_GT(lsof, usr);
}

TEST(BwrapArgsTest, BwrapRunsWithoutTheHarnessEnvironment) {
  ::setenv("REDLINE_TEST_API_KEY", "sk-secret", 1);
  std::vector<std::string> env = BwrapEnvironment();
  for (const std::string& e : env) {
    EXPECT_EQ(e.find("REDLINE_TEST_API_KEY"), std::string::npos);
    EXPECT_EQ(e.find("sk-secret"), std::string::npos);
  }
  ::unsetenv("REDLINE_TEST_API_KEY");
}

TEST(HostLayoutTest, FindsHiddenProgramsAndMasksUnreadableFiles) {
  HostLayout host = ProbeHost({"sh", "no-such-program-xyz"});
  EXPECT_TRUE(std::find(host.hidden_paths.begin(), host.hidden_paths.end(),
                        "/usr/bin/sh") != host.hidden_paths.end());
  for (const std::string& p : host.hidden_paths)
    EXPECT_EQ(p.find("no-such-program"), std::string::npos);
  // Debian's /etc/shadow is 0640 root:shadow.
  if (::access("/etc/shadow", F_OK) == 0) {
    EXPECT_TRUE(std::find(host.masked_files.begin(), host.masked_files.end(),
                          "/etc/shadow") != host.masked_files.end());
  }
  for (const std::string& p : host.masked_files)
    EXPECT_NE(p, "/etc/passwd");
}

TEST(BwrapArgsTest, DevinitIsBoundOverTheShutdownCommands) {
  HostLayout host = Host();
  host.shutdown_paths = {"/usr/bin/systemctl", "/usr/sbin/halt"};
  Args args = BuildBwrapArgs("/usr/bin/bwrap", Spec(), host);
  long bind = Find(args, {"--ro-bind", "/opt/redline/redline-devinit",
                          "/usr/bin/systemctl"});
  EXPECT_GE(bind, 0);
  EXPECT_GE(Find(args, {"--ro-bind", "/opt/redline/redline-devinit",
                        "/usr/sbin/halt"}), 0);
  // After /usr is bound, or /usr's bind would cover it.
  EXPECT_GT(bind, Find(args, {"--ro-bind", "/usr", "/usr"}));
}

TEST(BwrapArgsTest, ProbeHostFindsTheRealFileOfReboot) {
  char real[4096];
  if (!::realpath("/usr/sbin/reboot", real)) GTEST_SKIP() << "no reboot here";
  HostLayout host = ProbeHost({});
  EXPECT_NE(std::find(host.shutdown_paths.begin(), host.shutdown_paths.end(),
                      std::string(real)),
            host.shutdown_paths.end());
}

}  // namespace
}  // namespace redline
