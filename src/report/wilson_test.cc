#include "report/wilson.h"

#include <gtest/gtest.h>

namespace redline {
namespace {

TEST(WilsonTest, MatchesKnownValues) {
  Interval nine = WilsonInterval(9, 10);
  EXPECT_NEAR(nine.low, 0.596, 0.0005);
  EXPECT_NEAR(nine.high, 0.982, 0.0005);
  Interval five = WilsonInterval(5, 10);
  EXPECT_NEAR(five.low, 0.237, 0.0005);
  EXPECT_NEAR(five.high, 0.763, 0.0005);
}

TEST(WilsonTest, EdgesStayInsideTheUnitInterval) {
  Interval none = WilsonInterval(0, 10);
  EXPECT_DOUBLE_EQ(none.low, 0);
  EXPECT_NEAR(none.high, 0.278, 0.0005);
  Interval all = WilsonInterval(10, 10);
  EXPECT_NEAR(all.low, 0.722, 0.0005);
  EXPECT_DOUBLE_EQ(all.high, 1);
  Interval empty = WilsonInterval(0, 0);
  EXPECT_EQ(empty.low, 0);
  EXPECT_EQ(empty.high, 1);
}

}  // namespace
}  // namespace redline
