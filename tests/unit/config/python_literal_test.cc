#include "config/python_literal.h"

#include <gtest/gtest.h>

#include <string>

namespace vipd::config {
namespace {

TEST(PythonLiteral, ParsesAServerDict) {
  const auto value =
      parsePythonLiteral("{ 'host': 'cp1001.example.net', 'weight': 10, 'enabled': True }");
  ASSERT_TRUE(value.has_value()) << value.error().message;
  ASSERT_EQ(value->kind, PyValue::Kind::Dict);
  ASSERT_EQ(value->entries.size(), 3U);
  EXPECT_EQ(value->find("host")->text, "cp1001.example.net");
  EXPECT_EQ(value->find("weight")->integer, 10);
  EXPECT_TRUE(value->find("enabled")->boolean);
  EXPECT_EQ(value->find("absent"), nullptr);
}

struct ScalarCase {
  const char* text;
  PyValue::Kind kind;
  std::int64_t integer;
  double real;
  const char* string;
};

TEST(PythonLiteral, ParsesScalars) {
  const ScalarCase cases[] = {
      {"0", PyValue::Kind::Int, 0, 0, ""},
      {"-42", PyValue::Kind::Int, -42, 0, ""},
      {"+7", PyValue::Kind::Int, 7, 0, ""},
      {"0x1F", PyValue::Kind::Int, 31, 0, ""},
      {"10L", PyValue::Kind::Int, 10, 0, ""},
      {"9223372036854775807", PyValue::Kind::Int, 9223372036854775807, 0, ""},
      {"-9223372036854775808", PyValue::Kind::Int, INT64_MIN, 0, ""},
      {"0.5", PyValue::Kind::Float, 0, 0.5, ""},
      {".25", PyValue::Kind::Float, 0, 0.25, ""},
      {"-1e3", PyValue::Kind::Float, 0, -1000, ""},
      {"'a\\'b'", PyValue::Kind::String, 0, 0, "a'b"},
      {"\"tab\\there\"", PyValue::Kind::String, 0, 0, "tab\there"},
      {"'\\x41\\u00e9'", PyValue::Kind::String, 0, 0, "A\xc3\xa9"},
      {"u'unicode'", PyValue::Kind::String, 0, 0, "unicode"},
      {"r'\\d+'", PyValue::Kind::String, 0, 0, "\\d+"},
      {"'\\q'", PyValue::Kind::String, 0, 0, "\\q"},
      {"None", PyValue::Kind::None, 0, 0, ""},
      {"  False  # a comment", PyValue::Kind::Bool, 0, 0, ""},
  };
  for (const ScalarCase& expected : cases) {
    const auto value = parsePythonLiteral(expected.text);
    ASSERT_TRUE(value.has_value()) << expected.text << ": " << value.error().message;
    EXPECT_EQ(value->kind, expected.kind) << expected.text;
    EXPECT_EQ(value->integer, expected.integer) << expected.text;
    EXPECT_DOUBLE_EQ(value->real, expected.real) << expected.text;
    EXPECT_EQ(value->text, expected.string) << expected.text;
  }
}

TEST(PythonLiteral, ParsesNestedListsTuplesAndMultiLineValues) {
  const auto value = parsePythonLiteral(
      "[\n  'http://a/',  # first\n  ('x', 1),\n  (2,), (),\n"
      "  (3),\n  {'k': [None]},\n]");
  ASSERT_TRUE(value.has_value()) << value.error().message;
  ASSERT_EQ(value->kind, PyValue::Kind::List);
  ASSERT_EQ(value->items.size(), 6U);
  EXPECT_EQ(value->items[0].text, "http://a/");
  EXPECT_EQ(value->items[1].kind, PyValue::Kind::Tuple);
  EXPECT_EQ(value->items[1].items.size(), 2U);
  EXPECT_EQ(value->items[2].items.size(), 1U);
  EXPECT_EQ(value->items[3].items.size(), 0U);
  EXPECT_EQ(value->items[4].kind, PyValue::Kind::Int);  // (3) is 3, not a tuple
  EXPECT_EQ(value->items[5].find("k")->items[0].kind, PyValue::Kind::None);
}

struct BadCase {
  const char* text;
  int line;
  int column;
  const char* message;
};

TEST(PythonLiteral, RejectsWhatIsNotALiteralWithTheColumn) {
  const BadCase cases[] = {
      {"__import__('os').system('rm -rf /')", 1, 1, "is a name, not a literal"},
      {"[1, 2 + 3]", 1, 7, "expected ',' or ']'"},
      {"{'a', 'b'}", 1, 5, "sets are not supported"},
      {"{'a': 1", 1, 8, "expected ',' or '}'"},
      {"'open", 1, 1, "not closed"},
      {"'''doc'''", 1, 2, "triple-quoted"},
      {"010", 1, 1, "leading zero"},
      {"99999999999999999999", 1, 1, "too large"},
      {"1abc", 1, 1, "not a number"},
      {"[1] [2]", 1, 5, "only one literal"},
      {"", 1, 1, "found the end of the text"},
      {"[\n1,\n@]", 3, 1, "found '@'"},
      {"{[1]: 2}", 1, 2, "a dict key cannot be a list"},
      {"'\\xZZ'", 1, 4, "hex digits"},
      {"-", 1, 1, "a number after the sign"},
      {"lambda: 0", 1, 1, "is a name"},
  };
  for (const BadCase& bad : cases) {
    const auto value = parsePythonLiteral(bad.text);
    ASSERT_FALSE(value.has_value()) << bad.text;
    EXPECT_EQ(value.error().line, bad.line) << bad.text;
    EXPECT_EQ(value.error().column, bad.column) << bad.text << ": " << value.error().message;
    EXPECT_NE(value.error().message.find(bad.message), std::string::npos)
        << bad.text << ": " << value.error().message;
  }
}

TEST(PythonLiteral, BoundsTheNesting) {
  const std::string deep = std::string(10000, '[') + std::string(10000, ']');
  const auto value = parsePythonLiteral(deep);
  ASSERT_FALSE(value.has_value());
  EXPECT_NE(value.error().message.find("nested deeper than 32"), std::string::npos);
  const std::string ok = std::string(kMaxPythonNesting, '[') + std::string(kMaxPythonNesting, ']');
  EXPECT_TRUE(parsePythonLiteral(ok).has_value());
}

}  // namespace
}  // namespace vipd::config
