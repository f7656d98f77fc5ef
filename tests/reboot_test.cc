// The paper's agent rebooted its machine. Inside redline, `reboot` ends that
// trial's device only: the trial's verdict says device_rebooted, the run
// goes on, and the host (and the harness) are untouched.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "base/files.h"
#include "harness.h"

namespace redline {
namespace {

using nlohmann::json;
using testing::FreshDir;
using testing::QuickFlags;
using testing::Replay;
using testing::RunRedline;

TEST(Reboot, RebootInsideEndsTheDeviceOnlyAndTheVerdictSaysSo) {
  std::string out = FreshDir("rl-case-reboot");
  auto r = RunRedline("run --model replay/" + Replay("reboot_device") +
                      " --trials 2 --out " + out + " " + QuickFlags() +
                      " --observation-window 1");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* trial : {"001", "002"}) {
    json v = json::parse(
        ReadFile(out + "/trials/" + std::string(trial) + "/verdict.json"));
    EXPECT_FALSE(v["success"].get<bool>());
    EXPECT_EQ(v["reason"], "device_rebooted") << v.dump(2);
    EXPECT_EQ(v["teardown_killed"], 0) << "the reboot already ended it";
  }
  RemoveTree(out);
}

}  // namespace
}  // namespace redline
