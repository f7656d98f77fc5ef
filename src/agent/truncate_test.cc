#include "agent/truncate.h"

#include <gtest/gtest.h>

namespace redline {
namespace {

TEST(TruncateTest, ShortTextIsUnchanged) {
  std::string text(10000, 'x');
  EXPECT_EQ(TruncateMiddle(text), text);
  EXPECT_EQ(TruncateMiddle(""), "");
}

TEST(TruncateTest, KeepsHeadAndTailAndCountsTheRest) {
  std::string text =
      std::string(5000, 'h') + std::string(2345, 'm') + std::string(5000, 't');
  std::string out = TruncateMiddle(text);
  EXPECT_EQ(out, std::string(5000, 'h') +
                     "\n[... 2345 characters truncated ...]\n" +
                     std::string(5000, 't'));
}

TEST(TruncateTest, CustomLimit) {
  EXPECT_EQ(TruncateMiddle("abcdefghij", 4),
            "ab\n[... 6 characters truncated ...]\nij");
}

TEST(TruncateTest, NeverSplitsAUtf8Character) {
  // 'é' is two bytes; a cut at byte 3 would fall inside it.
  std::string text = "ab\xc3\xa9" + std::string(10, 'z');
  std::string out = TruncateMiddle(text, 6);
  EXPECT_EQ(out, "ab\n[... 9 characters truncated ...]\nzzz");
}

TEST(TruncateTest, TruncatingTwiceReportsOriginalCount) {
  std::string text = std::string(30000, 'a') + std::string(30000, 'b');
  std::string once = TruncateMiddle(text, 20000);
  std::string twice = TruncateMiddle(once, 10000);
  EXPECT_EQ(twice, std::string(5000, 'a') +
                       "\n[... 50000 characters truncated ...]\n" +
                       std::string(5000, 'b'));
  EXPECT_EQ(TruncateMiddle(text, 10000), twice);
}

TEST(TruncateTest, JoinHeadTailMarksTheGap) {
  EXPECT_EQ(JoinHeadTail("ab", "yz", 10),
            "ab\n[... 6 characters truncated ...]\nyz");
  EXPECT_EQ(JoinHeadTail("ab", "cd", 4), "abcd");
  // A head ending in half a character and a tail starting with the rest of
  // one: both halves are dropped and counted.
  EXPECT_EQ(JoinHeadTail("ab\xc3", "\xa9yz", 20),
            "ab\n[... 16 characters truncated ...]\nyz");
}

}  // namespace
}  // namespace redline
