#include "config/json_text.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace vipd::config {
namespace {

TEST(JsonText, RecordsTheLineOfEveryMemberAndElement) {
  const auto parsed = parseJsonText("{\n\"a\": [\n1,\n{\"b\": true}\n],\n\"c\": null}", "t.json");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->lines.lineOfPointer("/a"), 2);
  EXPECT_EQ(parsed->lines.lineOfPointer("/a/0"), 3);
  EXPECT_EQ(parsed->lines.lineOfPointer("/a/1/b"), 4);
  EXPECT_EQ(parsed->lines.lineOfPointer("/c"), 6);
  // An unknown pointer falls back to its nearest known ancestor.
  EXPECT_EQ(parsed->lines.lineOfPointer("/a/1/zz"), 4);
}

TEST(JsonText, DecodesEscapesAndSurrogatePairs) {
  const auto parsed = parseJsonText(R"(["a\"b\\\/\n", "\u00e9\ud83d\ude00"])", "t.json");
  ASSERT_TRUE(parsed.has_value());
  const auto& array = parsed->value.get_array();
  EXPECT_EQ(array[0].get_string(), "a\"b\\/\n");
  EXPECT_EQ(array[1].get_string(), "\xc3\xa9\xf0\x9f\x98\x80");
}

TEST(JsonText, KeepsIntegersExactAndFractionsAsDoubles) {
  const auto parsed = parseJsonText("[18446744073709551615, -3, 0.25, 1e3]", "t.json");
  ASSERT_TRUE(parsed.has_value());
  const auto& array = parsed->value.get_array();
  EXPECT_EQ(array[0].as_uint64(), 18446744073709551615U);
  EXPECT_EQ(array[1].as_int64(), -3);
  EXPECT_DOUBLE_EQ(array[2].as_double(), 0.25);
  EXPECT_DOUBLE_EQ(array[3].as_double(), 1000.0);
}

struct SyntaxCase {
  const char* text;
  int line;
  const char* message;
};

TEST(JsonText, RejectsBadSyntaxWithLineAndColumn) {
  const SyntaxCase cases[] = {
      {"{\"a\" 1}", 1, "column 6: expected ':'"},
      {"[1 2]", 1, "column 4: expected ',' or ']'"},
      {"{\n\"a\": tru}", 2, "expected a JSON value"},
      {"\"open", 1, "not closed"},
      {"[\"\\q\"]", 1, "unknown escape"},
      {"[\"\\ud800\"]", 1, "high surrogate"},
      {"[01]", 1, "expected ',' or ']'"},
      {"[1.]", 1, "digit after the decimal point"},
      {"{} {}", 1, "end of the document"},
      {"[\"tab\there\"]", 1, "control character"},
  };
  for (const SyntaxCase& bad : cases) {
    const auto parsed = parseJsonText(bad.text, "t.json");
    ASSERT_FALSE(parsed.has_value()) << bad.text;
    const Diagnostic& error = parsed.error().at(0);
    EXPECT_EQ(error.line, bad.line) << bad.text;
    EXPECT_NE(error.message.find(bad.message), std::string::npos)
        << bad.text << ": " << error.message;
  }
}

TEST(JsonText, ReportsEveryDuplicateMemberWithBothLines) {
  const auto parsed = parseJsonText("{\"a\": 1,\n\"a\": 2,\n\"b\": {\"c\": 1,\n\"c\": 2}}", "t");
  ASSERT_FALSE(parsed.has_value());
  ASSERT_EQ(parsed.error().size(), 2U);
  EXPECT_EQ(parsed.error()[0].line, 2);
  EXPECT_EQ(parsed.error()[1].path, "/b/c");
  EXPECT_NE(parsed.error()[1].message.find("first at line 3, again at line 4"), std::string::npos);
}

TEST(LineIndex, ResolvesLibyangDataPathsThroughListKeys) {
  const auto parsed = parseJsonText(
      "{\"vipd:config\": {\"service\": [\n{\"name\": \"a\"},\n{\"name\": \"b/c\",\n\"port\": 1,"
      "\n\"flags\": [\"x\",\n\"y\"]}]}}",
      "t");
  ASSERT_TRUE(parsed.has_value());
  const LineIndex& lines = parsed->lines;
  const auto& doc = parsed->value;
  EXPECT_EQ(lines.lineOfDataPath("/vipd:config/service[name='a']", doc), 2);
  EXPECT_EQ(lines.lineOfDataPath("/vipd:config/service[name='b/c']/port", doc), 4);
  EXPECT_EQ(lines.lineOfDataPath("/vipd:config/service[name='b/c']/flags[.='y']", doc), 6);
  EXPECT_EQ(LineIndex::pointerOfDataPath("/vipd:config/service[name='b/c']/port", doc),
            "/vipd:config/service/1/port");
  // A path that leaves the document stops at the last node it found.
  EXPECT_EQ(lines.lineOfDataPath("/vipd:config/service[name='b/c']/absent/deeper", doc), 3);
}

}  // namespace
}  // namespace vipd::config
