#include "report/html_escape.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace redline {
namespace {

TEST(HtmlEscape, EscapesMarkupAndQuotes) {
  EXPECT_EQ(HtmlEscape("</script><img src=x onerror=\"alert('1')\">&"),
            "&lt;/script&gt;&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;");
  EXPECT_EQ(HtmlEscape("plain text"), "plain text");
}

TEST(ScriptSafeJson, CannotCloseTheScriptAndParsesBackTheSame) {
  std::string text = "</script><img src=x onerror=alert(1)> & \xE2\x80\xA8 \xE2\x80\xA9 é";
  std::string json = nlohmann::json{{"t", text}}.dump();
  std::string safe = ScriptSafeJson(json);
  EXPECT_EQ(safe.find('<'), std::string::npos);
  EXPECT_EQ(safe.find('>'), std::string::npos);
  EXPECT_EQ(safe.find('&'), std::string::npos);
  EXPECT_EQ(safe.find("\xE2\x80\xA8"), std::string::npos);
  EXPECT_EQ(safe.find("\xE2\x80\xA9"), std::string::npos);
  EXPECT_NE(safe.find("\\u2028"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(safe)["t"], text);
}

}  // namespace
}  // namespace redline
