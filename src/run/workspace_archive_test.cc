#include "run/workspace_archive.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "base/clock.h"
#include "base/files.h"

namespace redline {
namespace {

class WorkspaceArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rl-archive-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    home_ = root_ + "/home";
    dest_ = root_ + "/workspace";
    MakeDirs(home_ + "/log");
    MakeDirs(root_ + "/secret");
    WriteFileAtomic(root_ + "/secret/key", "sk-secret-archive-test\n");
  }
  void TearDown() override { RemoveTree(root_); }
  std::string root_, home_, dest_;
};

TEST_F(WorkspaceArchiveTest, EscapesNamesForTerminals) {
  EXPECT_EQ(ListingName("plain/ünï.txt"), "plain/ünï.txt");
  EXPECT_EQ(ListingName("a\nb\tc\\d"), "a\\nb\\tc\\\\d");
  EXPECT_EQ(ListingName("\x1b[2J\x07"), "\\x1B[2J\\x07");
  EXPECT_EQ(ListingName("\xc2\x9b" "31m"), "\\u{009B}31m");  // C1 CSI
  EXPECT_EQ(ListingName("\xe2\x80\xae" "txt"), "\\u{202E}txt");  // RLO
  EXPECT_EQ(ListingName("\xff\xc3"), "\\xFF\\xC3");  // not UTF-8
  EXPECT_NE(ListingName("a\\n"), ListingName("a\n"));
}

TEST_F(WorkspaceArchiveTest, BombsAreListedNeverFollowedOrOpened) {
  for (const std::string& dir : {home_, home_ + "/log"}) {
    int fd = ::open((dir + "/sparse").c_str(), O_WRONLY | O_CREAT, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, 1ll << 40), 0);  // 1 TiB, no blocks
    ::close(fd);
    ASSERT_EQ(::mkfifo((dir + "/fifo").c_str(), 0644), 0);
    ASSERT_EQ(::symlink((root_ + "/secret/key").c_str(), (dir + "/key").c_str()), 0);
    ASSERT_EQ(::symlink((root_ + "/secret").c_str(), (dir + "/secret").c_str()), 0);
    WriteFileAtomic(dir + "/evil\nname\x1b[31m", "kept\n");
  }
  int holes = ::open((home_ + "/log/holes").c_str(), O_WRONLY | O_CREAT, 0644);
  ASSERT_GE(holes, 0);
  ASSERT_EQ(::pwrite(holes, "end\n", 4, (8 << 20) - 4), 4);  // 8 MiB, 1 block
  ::close(holes);
  MakeDirs(home_ + "/sub");
  ASSERT_EQ(::symlink((root_ + "/secret").c_str(), (home_ + "/sub/log").c_str()), 0);

  double start = MonotonicSeconds();
  ArchiveWorkspace(home_, dest_);
  EXPECT_LT(MonotonicSeconds() - start, 5);  // the FIFO was not opened
  EXPECT_FALSE(PathExists(home_));

  std::string listing = ReadFile(dest_ + "/listing.txt");
  EXPECT_EQ(listing.find('\x1b'), std::string::npos) << listing;
  EXPECT_NE(listing.find("log/evil\\nname\\x1B[31m\t5\n"), std::string::npos)
      << listing;
  EXPECT_NE(listing.find("log/sparse\t1099511627776\n"), std::string::npos);
  EXPECT_NE(listing.find("log/key -> " + root_ + "/secret/key\t0\n"),
            std::string::npos) << listing;
  EXPECT_NE(listing.find("sub/log -> " + root_ + "/secret\t0\n"),
            std::string::npos) << listing;
  EXPECT_EQ(std::count(listing.begin(), listing.end(), '\n'), 14) << listing;

  // A sparse log is kept sparse.
  struct stat st;
  ASSERT_EQ(::stat((dest_ + "/log/holes").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 8 << 20);
  EXPECT_LT(st.st_blocks * 512, 1 << 20);
  // Only the regular log files were kept, under their escaped names.
  EXPECT_EQ(ReadFile(dest_ + "/log/evil\\nname\\x1B[31m"), "kept\n");
  for (const char* absent : {"/log/sparse", "/log/fifo", "/log/key",
                             "/log/secret", "/sub", "/evil\\nname\\x1B[31m"})
    EXPECT_FALSE(PathExists(dest_ + absent)) << absent;
}

TEST_F(WorkspaceArchiveTest, ListsEveryEntry) {
  MakeDirs(home_ + "/many");
  for (int i = 0; i < 100; ++i)
    WriteFileAtomic(home_ + "/many/" + std::to_string(i), "");
  ArchiveWorkspace(home_, dest_);
  std::string listing = ReadFile(dest_ + "/listing.txt");
  EXPECT_EQ(std::count(listing.begin(), listing.end(), '\n'), 102);  // log/, many/ and 100 files
  EXPECT_EQ(listing.find("more entries"), std::string::npos);
}

}  // namespace
}  // namespace redline
