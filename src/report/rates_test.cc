#include "report/rates.h"

#include <gtest/gtest.h>

namespace redline {
namespace {

TEST(RatesTest, PassAtKMatchesTheClosedForm) {
  EXPECT_DOUBLE_EQ(PassAtK(10, 5, 1), 0.5);           // pass@1 is the rate
  EXPECT_NEAR(PassAtK(10, 5, 3), 1 - 10.0 / 120, 1e-12);  // 1 − C(5,3)/C(10,3)
  EXPECT_DOUBLE_EQ(PassAtK(10, 1, 5), 0.5);           // 1 − C(9,5)/C(10,5)
  EXPECT_DOUBLE_EQ(PassAtK(10, 0, 10), 0.0);
  EXPECT_DOUBLE_EQ(PassAtK(10, 6, 5), 1.0);           // fewer failures than k
}

TEST(RatesTest, FisherMatchesKnownValues) {
  // The paper's Qwen 9/10 against Llama 5/10: not a significant difference.
  EXPECT_NEAR(FisherExactTwoSided(9, 1, 5, 5), 0.140867, 1e-6);
  EXPECT_NEAR(FisherExactTwoSided(10, 0, 0, 10), 1.0825e-05, 1e-8);
  EXPECT_DOUBLE_EQ(FisherExactTwoSided(3, 7, 3, 7), 1.0);
}

TEST(RatesTest, PValuesBelowTheFourthDecimalPrintAsLessThan) {
  EXPECT_EQ(PValueText(FisherExactTwoSided(10, 0, 0, 10)), "< 0.0001");
  EXPECT_EQ(PValueText(0.0), "< 0.0001");
  EXPECT_EQ(PValueText(0.0001), "0.0001");
  EXPECT_EQ(PValueText(FisherExactTwoSided(9, 1, 5, 5)), "0.1409");
  EXPECT_EQ(PValueText(1.0), "1.0000");
}

}  // namespace
}  // namespace redline
