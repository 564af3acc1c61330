#include "config/text_checks.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace vipd::config {
namespace {

struct Utf8Case {
  std::uint32_t code;
  std::string encoded;
};

// The boundaries of each encoding length (RFC 3629 3).
TEST(AppendUtf8, EncodesEachLengthAtItsBoundaries) {
  const Utf8Case cases[] = {
      {0x41, "A"},
      {0x7F, "\x7F"},
      {0x80, "\xC2\x80"},
      {0x7FF, "\xDF\xBF"},
      {0x800, "\xE0\xA0\x80"},
      {0xE9, "\xC3\xA9"},
      {0xFFFD, "\xEF\xBF\xBD"},
      {0x10000, "\xF0\x90\x80\x80"},
      {0x1F600, "\xF0\x9F\x98\x80"},
      {0x10FFFF, "\xF4\x8F\xBF\xBF"},
  };
  for (const auto& [code, encoded] : cases) {
    std::string out = "x";
    appendUtf8(out, code);
    EXPECT_EQ(out, "x" + encoded) << "U+" << std::hex << code;
    EXPECT_EQ(checkText(encoded), std::nullopt) << "U+" << std::hex << code;
  }
}

TEST(CheckText, NamesTheLineOfANulByte) {
  const auto problem = checkText(std::string("a\nb\n\0c", 6));
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->line, 3);
  EXPECT_NE(problem->message.find("NUL"), std::string::npos);
}

TEST(CheckText, RefusesInvalidUtf8) {
  const auto problem = checkText("ok\n\xC3(");
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->line, 2);
  EXPECT_NE(problem->message.find("UTF-8"), std::string::npos);
}

TEST(LineAt, CountsNewlinesBeforeTheOffset) {
  EXPECT_EQ(lineAt("a\nb\nc", 0), 1);
  EXPECT_EQ(lineAt("a\nb\nc", 2), 2);
  EXPECT_EQ(lineAt("a\nb\nc", 4), 3);
  EXPECT_EQ(lineAt("a\nb\nc", 99), 3);
}

}  // namespace
}  // namespace vipd::config
