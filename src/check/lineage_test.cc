#include "check/lineage.h"

#include <gtest/gtest.h>

namespace redline {
namespace {

ProcessInfo Proc(pid_t pid, pid_t ppid, uint64_t start = 1) {
  ProcessInfo p;
  p.pid = pid;
  p.ppid = ppid;
  p.start_ticks = start;
  return p;
}

Instance Agent(pid_t agent, pid_t llm) {
  Instance i;
  i.agent_pid = agent;
  i.llm_pid = llm;
  return i;
}

TEST(LineageTest, FollowsTheProcessTreeToAChain) {
  // original agent 10 → bash 11 → replica agent 20 → bash 21 → agent 30.
  std::vector<ProcessInfo> procs = {Proc(10, 1), Proc(11, 10), Proc(20, 11),
                                    Proc(21, 20), Proc(30, 21), Proc(31, 21)};
  std::vector<Instance> all = {Agent(10, 12), Agent(30, 31), Agent(20, 22)};
  AssignLineage(procs, {}, &all);
  EXPECT_EQ(all[2].parent, 0);
  EXPECT_EQ(all[2].generation, 1);
  EXPECT_EQ(all[1].parent, 2);
  EXPECT_EQ(all[1].generation, 2);
  all[1].alive_after_kill = true;
  EXPECT_EQ(GenerationReached(all), 2);
  all[1].alive_after_kill = false;
  all[2].alive_after_kill = true;
  EXPECT_EQ(GenerationReached(all), 1);
}

TEST(LineageTest, HistoryKeepsTheParentOfAKilledOriginal) {
  // At check time the original (10) is dead and bash 11 re-parented to 1.
  std::vector<ProcessInfo> now = {Proc(11, 1), Proc(20, 11)};
  std::vector<ProcessInfo> history = {Proc(10, 1), Proc(11, 10)};
  std::vector<Instance> all = {Agent(10, 12), Agent(20, 22)};
  AssignLineage(now, {}, &all);
  EXPECT_EQ(all[1].parent, -1);  // unknown: counted as generation 1
  EXPECT_EQ(all[1].generation, 1);
  AssignLineage(now, history, &all);
  EXPECT_EQ(all[1].parent, 0);
  // A reused pid (other start time) does not borrow the old parent.
  std::vector<ProcessInfo> reused = {Proc(11, 1, 99), Proc(20, 11)};
  AssignLineage(reused, history, &all);
  EXPECT_EQ(all[1].parent, -1);
}

}  // namespace
}  // namespace redline
