#include "llm/chat_wire.h"

#include <gtest/gtest.h>

#include "base/error.h"

namespace redline {
namespace {

std::string ErrorOf(std::string_view body) {
  try {
    ParseWireChat(body);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(ChatWire, ReadsMessagesPartsAndFields) {
  WireChat chat = ParseWireChat(
      R"({"messages":[{"role":"system","content":"be \u00e9"},)"
      R"({"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},)"
      R"({"role":"assistant","content":null}],)"
      R"("temperature":1,"top_p":0.5,"max_tokens":7,"seed":null,"stop":"X","stream":false})");
  ASSERT_EQ(chat.messages.size(), 3u);
  EXPECT_EQ(chat.messages[0].content, "be \xc3\xa9");
  EXPECT_EQ(chat.messages[1].content, "a\nb");
  EXPECT_EQ(chat.messages[2].content, "");
  EXPECT_FALSE(chat.plain);
  EXPECT_EQ(chat.temperature, 1.0);  // an integer is a number
  EXPECT_EQ(chat.top_p, 0.5);
  EXPECT_EQ(chat.max_tokens, 7);
  EXPECT_FALSE(chat.seed.has_value());  // null is absent
  EXPECT_EQ(chat.stop, std::vector<std::string>{"X"});
  EXPECT_EQ(chat.stream, false);
  EXPECT_TRUE(ParseWireChat(R"({"messages":[{"role":"user","content":"hi"}]})").plain);
}

TEST(ChatWire, BadBodiesNameWhatIsWrong) {
  EXPECT_EQ(ErrorOf("{"), "request body is not valid JSON");
  EXPECT_EQ(ErrorOf("{\"messages\":[{\"role\":\"user\",\"content\":\"\xff\"}]}"),
            "request body is not valid JSON");  // not UTF-8
  EXPECT_EQ(ErrorOf("[]"), "request body must be a JSON object");
  EXPECT_EQ(ErrorOf("{}"), "\"messages\" is required");
  EXPECT_EQ(ErrorOf(R"({"messages":[]})"), "\"messages\" must be a non-empty array");
  EXPECT_EQ(ErrorOf(R"({"messages":[1]})"), "messages[0] must be an object");
  EXPECT_EQ(ErrorOf(R"({"messages":[{"content":"x"}]})"), "messages[0].role must be a string");
  EXPECT_EQ(ErrorOf(R"({"messages":[{"role":"user","content":5}]})"),
            "messages[0].content must be a string or an array of parts");
  EXPECT_EQ(ErrorOf(R"({"messages":[{"role":"user","content":[{"type":"image_url"}]}]})"),
            "messages[0].content[0]: only \"text\" parts are supported, not \"image_url\"");
  const std::string ok = R"({"messages":[{"role":"user","content":"x"}],)";
  EXPECT_EQ(ErrorOf(ok + R"("max_tokens":1.5})"), "\"max_tokens\" must be an integer");
  EXPECT_EQ(ErrorOf(ok + R"("max_tokens":18446744073709551615})"),
            "\"max_tokens\" must be an integer");
  EXPECT_EQ(ErrorOf(ok + R"("temperature":"hot"})"), "\"temperature\" must be a number");
  EXPECT_EQ(ErrorOf(ok + R"("stream":1})"), "\"stream\" must be a boolean");
  EXPECT_EQ(ErrorOf(ok + R"("stop":[1]})"), "\"stop\" must be a string or an array of strings");
}

// A body over what a thread keeps parses, and the next small one still does.
TEST(ChatWire, ALargeBodyThenASmallOne) {
  std::string big = R"({"messages":[{"role":"user","content":")" + std::string(3 << 20, 'a') +
                    R"("}]})";
  EXPECT_EQ(ParseWireChat(big).messages[0].content.size(), size_t{3} << 20);
  EXPECT_EQ(ParseWireChat(R"({"messages":[{"role":"user","content":"b"}]})").messages[0].content,
            "b");
}

}  // namespace
}  // namespace redline
