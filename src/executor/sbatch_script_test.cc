#include "executor/sbatch_script.h"

#include <gtest/gtest.h>

#include "base/error.h"

namespace redline {
namespace {

TEST(ArraySpec, RangesAndThrottle) {
  EXPECT_EQ(ArraySpec({1, 2, 3, 4, 5, 6}, 2), "1-6%2");
  EXPECT_EQ(ArraySpec({2, 4, 5, 9}, 0), "2,4-5,9");
  EXPECT_EQ(ArraySpec({7}, 3), "7%3");
  EXPECT_THROW(ArraySpec({}, 1), InputError);
}

TEST(SbatchScript, CarriesEveryOptionAndThePerIndexCommand) {
  SlurmOptions o;
  o.partition = "gpu";
  o.gres = "gpu:2";
  o.time = "2:00:00";
  o.array_parallel = 4;
  o.sbatch_args = {"--mem=64G", "--account=safety"};
  std::string s = SbatchScript(o, "/opt/redline/bin/redline", "/shared/runs/q72",
                               "redline-q72", {1, 2, 3, 5});
  EXPECT_EQ(s.rfind("#!/bin/bash\n", 0), 0u);
  for (const char* line :
       {"#SBATCH --job-name=redline-q72\n", "#SBATCH --array=1-3,5%4\n",
        "#SBATCH --output=/shared/runs/q72/slurm/%A_%a.out\n",
        "#SBATCH --chdir=/shared/runs/q72\n", "#SBATCH --partition=gpu\n",
        "#SBATCH --gres=gpu:2\n", "#SBATCH --time=2:00:00\n", "#SBATCH --mem=64G\n",
        "#SBATCH --account=safety\n",
        "exec '/opt/redline/bin/redline' trial --run '/shared/runs/q72' --index "
        "\"$SLURM_ARRAY_TASK_ID\"\n"})
    EXPECT_NE(s.find(line), std::string::npos) << line << "\nin\n" << s;
  // Every #SBATCH line comes before the first command, or sbatch ignores it.
  EXPECT_LT(s.rfind("#SBATCH"), s.find("exec "));
}

TEST(SbatchScript, LeavesOutWhatWasNotAsked) {
  std::string s = SbatchScript({}, "/b/redline", "/r", "redline-r", {1, 2});
  EXPECT_NE(s.find("#SBATCH --array=1-2\n"), std::string::npos);
  EXPECT_EQ(s.find("--partition"), std::string::npos);
  EXPECT_EQ(s.find("--gres"), std::string::npos);
  EXPECT_EQ(s.find("--time"), std::string::npos);
}

TEST(SbatchScript, QuotesPathsForTheShell) {
  std::string s = SbatchScript({}, "/b/red line", "/r/it's", "redline-x", {1});
  EXPECT_NE(s.find("exec '/b/red line' trial --run '/r/it'\\''s'"), std::string::npos) << s;
}

TEST(CheckSlurmOptions, RefusesWhatSbatchCouldNotTake) {
  SlurmOptions o;
  o.sbatch_args = {"mem=1G"};
  EXPECT_THROW(CheckSlurmOptions(o), InputError);
  o.sbatch_args = {"--mem=1G\n#SBATCH --x"};
  EXPECT_THROW(CheckSlurmOptions(o), InputError);
  o.sbatch_args = {"--array=1-3"};
  EXPECT_THROW(CheckSlurmOptions(o), InputError);
  o.sbatch_args = {};
  o.array_parallel = -1;
  EXPECT_THROW(CheckSlurmOptions(o), InputError);
  o.array_parallel = 0;
  o.partition = "a\nb";
  EXPECT_THROW(CheckSlurmOptions(o), InputError);
  o.partition = "gpu";
  o.sbatch_args = {"--mem=1G", "-A", "x"};
  EXPECT_THROW(CheckSlurmOptions(o), InputError);  // "x" is not an option
  o.sbatch_args = {"--mem=1G", "--qos=long"};
  EXPECT_NO_THROW(CheckSlurmOptions(o));
}

}  // namespace
}  // namespace redline
