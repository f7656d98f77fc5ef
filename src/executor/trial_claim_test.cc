#include "executor/trial_claim.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "base/files.h"
#include "base/random.h"

namespace redline {
namespace {

class TrialClaimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = "/tmp/rl-claim-test-" + std::to_string(::getpid()) + "-" + RandomToken(6);
    MakeDirs(dir_ + "/trials");
  }
  void TearDown() override { RemoveTree(dir_); }
  std::string dir_;
};

Claimant Task(const std::string& job, const std::string& task, int restart) {
  Claimant c;
  c.host = "node1";
  c.pid = 42;
  c.job = job;
  c.task = task;
  c.restart = restart;
  c.since = "t";
  return c;
}

TEST_F(TrialClaimTest, OnlyOneOfManyRacingClaimantsWins) {
  std::atomic<int> winners{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i)
    threads.emplace_back([&, i] {
      std::string holder;
      if (ClaimTrial(dir_, 3, Task("100", std::to_string(i), 0), &holder)) ++winners;
    });
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(winners, 1);
}

TEST_F(TrialClaimTest, AHeldClaimNamesItsHolder) {
  std::string holder;
  ASSERT_TRUE(ClaimTrial(dir_, 1, Task("100", "1", 0), &holder));
  EXPECT_FALSE(ClaimTrial(dir_, 1, Task("200", "1", 0), &holder));
  EXPECT_NE(holder.find("job=100"), std::string::npos) << holder;
  auto read = ReadClaim(dir_, 1);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->host, "node1");
  EXPECT_EQ(read->job, "100");
}

TEST_F(TrialClaimTest, ADuplicateOfTheSameTaskDoesNotTakeOver) {
  std::string holder;
  ASSERT_TRUE(ClaimTrial(dir_, 2, Task("100", "2", 0), &holder));
  EXPECT_FALSE(ClaimTrial(dir_, 2, Task("100", "2", 0), &holder));
}

TEST_F(TrialClaimTest, ARequeuedTaskTakesOverAndMovesTheOldFolderAside) {
  std::string holder;
  ASSERT_TRUE(ClaimTrial(dir_, 2, Task("100", "2", 0), &holder));
  MakeDirs(dir_ + "/trials/002");
  WriteFileAtomic(dir_ + "/trials/002/transcript.jsonl", "partial\n");
  ASSERT_TRUE(ClaimTrial(dir_, 2, Task("100", "2", 1), &holder));
  EXPECT_FALSE(PathExists(dir_ + "/trials/002"));
  EXPECT_TRUE(PathExists(dir_ + "/incomplete"));
  EXPECT_EQ(ReadClaim(dir_, 2)->restart, 1);
}

TEST_F(TrialClaimTest, ReleasedClaimsCanBeTakenAgain) {
  std::string holder;
  ASSERT_TRUE(ClaimTrial(dir_, 5, Task("100", "5", 0), &holder));
  ReleaseClaim(dir_, 5);
  EXPECT_FALSE(ReadClaim(dir_, 5));
  EXPECT_TRUE(ClaimTrial(dir_, 5, Task("300", "5", 0), &holder));
  ReleaseClaim(dir_, 9);  // nothing there: no error
}

}  // namespace
}  // namespace redline
