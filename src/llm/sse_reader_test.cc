#include "llm/sse_reader.h"

#include <gtest/gtest.h>

namespace redline {
namespace {

TEST(SseParser, EventsSplitAcrossFeedsCommentsAndDone) {
  SseParser p;
  std::string stream =
      ": ping\n\ndata: {\"a\":1}\n\ndata:{\"b\":2}\r\n\r\n: keep-alive\nevent: error\n"
      "data: line1\ndata: line2\n\ndata: [DONE]\n\n";
  // One byte at a time: an event may be split anywhere.
  for (char c : stream) p.Feed(std::string_view(&c, 1));
  std::vector<SseEvent> events = p.TakeEvents();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].data, "{\"a\":1}");
  EXPECT_EQ(events[1].data, "{\"b\":2}");
  EXPECT_EQ(events[2].event, "error");
  EXPECT_EQ(events[2].data, "line1\nline2");
  EXPECT_TRUE(p.done());
  EXPECT_TRUE(p.TakeEvents().empty());
}

TEST(SseParser, AnEventWithoutItsBlankLineIsNotComplete) {
  SseParser p;
  p.Feed("data: {\"cut\":");
  EXPECT_TRUE(p.TakeEvents().empty());
  EXPECT_FALSE(p.done());
  p.Feed("1}\n");
  EXPECT_TRUE(p.TakeEvents().empty());
  p.Feed("\n");
  EXPECT_EQ(p.TakeEvents().size(), 1u);
}

}  // namespace
}  // namespace redline
