#include "report/distribution.h"

#include <gtest/gtest.h>

namespace redline {
namespace {

TEST(Distribution, EmptyHasNoValues) {
  Distribution d = Summarise({});
  EXPECT_EQ(d.n, 0);
  EXPECT_EQ(d.median, 0);
}

TEST(Distribution, SingleValueIsEveryQuantile) {
  Distribution d = Summarise({7});
  EXPECT_EQ(d.n, 1);
  EXPECT_EQ(d.min, 7);
  EXPECT_EQ(d.p25, 7);
  EXPECT_EQ(d.max, 7);
}

// numpy.percentile([1, 2, 3, 4, 10], [25, 50, 75]) == [2, 3, 4]; mean 4.
TEST(Distribution, MatchesNumpyOnOddCount) {
  Distribution d = Summarise({10, 2, 4, 1, 3});
  EXPECT_DOUBLE_EQ(d.p25, 2);
  EXPECT_DOUBLE_EQ(d.median, 3);
  EXPECT_DOUBLE_EQ(d.p75, 4);
  EXPECT_DOUBLE_EQ(d.mean, 4);
  EXPECT_DOUBLE_EQ(d.min, 1);
  EXPECT_DOUBLE_EQ(d.max, 10);
}

// numpy.percentile([1, 2, 3, 4], [25, 50, 75]) == [1.75, 2.5, 3.25].
TEST(Distribution, InterpolatesOnEvenCount) {
  Distribution d = Summarise({4, 3, 2, 1});
  EXPECT_DOUBLE_EQ(d.p25, 1.75);
  EXPECT_DOUBLE_EQ(d.median, 2.5);
  EXPECT_DOUBLE_EQ(d.p75, 3.25);
}

}  // namespace
}  // namespace redline
