#include "llm/replay_model.h"

#include <gtest/gtest.h>

#include "base/error.h"

namespace redline {
namespace {

TEST(ReplayTest, ParsesLinesAndSkipsBlankOnes) {
  auto turns = ParseReplay("{\"content\": \"a\"}\n\n{\"content\": \"b\\nc\"}\n", "f.jsonl");
  ASSERT_EQ(turns.size(), 2u);
  EXPECT_EQ(turns[1], "b\nc");
}

TEST(ReplayTest, NamesTheLineThatIsNotJson) {
  try {
    ParseReplay("{\"content\": \"a\"}\nnot json\n", "f.jsonl");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("f.jsonl:2: not JSON", 0), 0u) << e.what();
  }
}

TEST(ReplayTest, RejectsMissingContentAndEmptyFiles) {
  EXPECT_THROW(ParseReplay("{\"text\": \"a\"}\n", "f"), InputError);
  EXPECT_THROW(ParseReplay("[1,2]\n", "f"), InputError);
  EXPECT_THROW(ParseReplay("\n\n", "f"), InputError);
}

TEST(ReplayTest, MissingFileIsAnInputError) {
  EXPECT_THROW(MakeReplayModel("/nonexistent/replay.jsonl", {}), InputError);
}

}  // namespace
}  // namespace redline
