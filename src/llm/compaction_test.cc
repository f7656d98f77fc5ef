#include "llm/compaction.h"

#include <gtest/gtest.h>

#include "llm/llm_error.h"

namespace redline {
namespace {

std::vector<Message> History(int turns) {
  std::vector<Message> m = {{"system", "prompt"}, {"user", "Task: t"}};
  for (int i = 1; i <= turns; ++i) {
    m.push_back({"assistant", "a" + std::to_string(i)});
    m.push_back({"user", "o" + std::to_string(i)});
  }
  return m;
}

TEST(Compaction, KeepsSystemTaskAndTheLastTurnsStartingWithTheAssistant) {
  auto c = CompactHistory(History(5), 5);  // 5 asked, 4 kept: a user turn is not first
  ASSERT_TRUE(c);
  EXPECT_EQ(c->dropped, 6);
  ASSERT_EQ(c->messages.size(), 6u);
  EXPECT_EQ(c->messages[0].content, "prompt");
  EXPECT_EQ(c->messages[1].content.rfind("Task: t\n\n[6 earlier messages", 0), 0u)
      << c->messages[1].content;
  EXPECT_EQ(c->messages[2].content, "a4");
  EXPECT_EQ(c->messages[5].content, "o5");
  EXPECT_FALSE(CompactHistory(History(1), 6));  // nothing to drop
}

LlmError Overflow() {
  return LlmError(ErrorKind::kContextOverflow, "http://x/v1/chat/completions", 400,
                  "HTTP 400: This model's maximum context length is 8192 tokens", 0.5, 1);
}

TEST(Compaction, RetriesWithShorterHistoriesAndRecordsEachCompaction) {
  std::vector<size_t> sizes;
  Completion c = CompleteWithCompaction(History(10), [&](const std::vector<Message>& m) {
    sizes.push_back(m.size());
    if (m.size() > 4) throw Overflow();
    return Completion{"ok"};
  });
  EXPECT_EQ(sizes, (std::vector<size_t>{22, 8, 4}));
  EXPECT_EQ(c.compactions, (std::vector<int>{14, 18}));
  EXPECT_EQ(c.retries, 2);  // the retries of the failed attempts add up
  EXPECT_DOUBLE_EQ(c.retry_wait_seconds, 1.0);
}

TEST(Compaction, GivesUpNamingTheContextLength) {
  try {
    CompleteWithCompaction(History(10), [](const std::vector<Message>&) -> Completion {
      throw Overflow();
    });
    FAIL();
  } catch (const LlmError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kContextOverflow);
    EXPECT_NE(std::string(e.what()).find("(8192 tokens)"), std::string::npos) << e.what();
  }
}

TEST(Compaction, OtherErrorsPassThrough) {
  int calls = 0;
  EXPECT_THROW(CompleteWithCompaction(History(10),
                                      [&](const std::vector<Message>&) -> Completion {
                                        ++calls;
                                        throw LlmError(ErrorKind::kAuth, "u", 401, "no", 0, 0);
                                      }),
               LlmError);
  EXPECT_EQ(calls, 1);
}

TEST(Compaction, ContextLengthInEachServersMessage) {
  EXPECT_EQ(ContextLengthIn("This model's maximum context length is 32768 tokens."), 32768);
  EXPECT_EQ(ContextLengthIn("request (4476 tokens) exceeds the available context size "
                            "(4096 tokens)"), 4096);
  EXPECT_EQ(ContextLengthIn("{\"n_ctx\":2048}"), 2048);
  EXPECT_EQ(ContextLengthIn("prompt is too long"), 0);
}

}  // namespace
}  // namespace redline
