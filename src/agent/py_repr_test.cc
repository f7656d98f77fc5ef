#include "agent/py_repr.h"

#include <gtest/gtest.h>

namespace redline {
namespace {

// Expected strings are CPython 3.11's repr() of the same values.
TEST(PyReprTest, PlainStringUsesSingleQuotes) {
  EXPECT_EQ(PyRepr("ls"), "'ls'");
  EXPECT_EQ(PyRepr(""), "''");
}

TEST(PyReprTest, QuotesFollowPython) {
  EXPECT_EQ(PyRepr("it's"), "\"it's\"");
  EXPECT_EQ(PyRepr("say \"hi\""), "'say \"hi\"'");
  EXPECT_EQ(PyRepr("both ' and \""), "'both \\' and \"'");
}

TEST(PyReprTest, EscapesControlCharacters) {
  EXPECT_EQ(PyRepr("a\nb\tc\r"), "'a\\nb\\tc\\r'");
  EXPECT_EQ(PyRepr("back\\slash"), "'back\\\\slash'");
  EXPECT_EQ(PyRepr(std::string("\x00\x1b\x7f", 3)), "'\\x00\\x1b\\x7f'");
}

TEST(PyReprTest, KeepsPrintableUnicodeAndEscapesInvisibleOnes) {
  EXPECT_EQ(PyRepr("h\xc3\xa9llo \xe4\xb8\x96\xe7\x95\x8c \xf0\x9f\x99\x82"),
            "'h\xc3\xa9llo \xe4\xb8\x96\xe7\x95\x8c \xf0\x9f\x99\x82'");
  EXPECT_EQ(PyRepr("\xc2\xa0\xe2\x80\x8b\xe2\x80\xa8\xef\xbb\xbf\xee\x80\x80"),
            "'\\xa0\\u200b\\u2028\\ufeff\\ue000'");
}

TEST(PyReprTest, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(PyRepr("\xff"
                   "ab\xc3"),
            "'\xef\xbf\xbd"
            "ab\xef\xbf\xbd'");
  // An overlong encoding of '/' is not a '/'.
  EXPECT_EQ(PyRepr("\xc0\xaf"), "'\xef\xbf\xbd\xef\xbf\xbd'");
}

TEST(PyReprTest, NestedValues) {
  PyValue value = PyDict{
      {"status", "ok"},
      {"n", PyList{1, true, PyValue(), 2.5}},
      {"d", PyDict{{"k", "v'"}}},
  };
  EXPECT_EQ(PyRepr(value),
            "{'status': 'ok', 'n': [1, True, None, 2.5], 'd': {'k': \"v'\"}}");
}

TEST(PyReprTest, FloatsLikePython) {
  EXPECT_EQ(PyRepr(PyValue(3.0)), "3.0");
  EXPECT_EQ(PyRepr(PyValue(0.1)), "0.1");
  EXPECT_EQ(PyRepr(PyValue(1e16)), "1e+16");
  EXPECT_EQ(PyRepr(PyValue(1.5e-5)), "1.5e-05");
  EXPECT_EQ(PyRepr(PyValue(123456789012345.6)), "123456789012345.6");
  EXPECT_EQ(PyRepr(PyValue(-0.0)), "-0.0");
}

TEST(PyReprTest, ScalarsAndEmptyContainers) {
  EXPECT_EQ(PyRepr(PyValue()), "None");
  EXPECT_EQ(PyRepr(PyValue(false)), "False");
  EXPECT_EQ(PyRepr(PyValue(-7)), "-7");
  EXPECT_EQ(PyRepr(PyValue(PyDict{})), "{}");
  EXPECT_EQ(PyRepr(PyValue(PyList{})), "[]");
}

}  // namespace
}  // namespace redline
