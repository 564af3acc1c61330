// Checks every configuration input passes before it is parsed at all: size, and that it is
// text (UTF-8 without NUL bytes), so that a binary file gets one clear error instead of a
// cascade of syntax errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vipd::config {

inline constexpr std::size_t kMaxInputBytes = 16 * 1024 * 1024;

struct TextProblem {
  int line = 1;
  std::string message;
};

// Why `text` is not acceptable input, or nullopt when it is.
std::optional<TextProblem> checkText(std::string_view text);

// The number of the line (1-based) that byte `offset` is on.
int lineAt(std::string_view text, std::size_t offset);

// Appends the UTF-8 encoding of `code`, a Unicode scalar value (the escapes of JSON and of
// Python literals both decode to one).
void appendUtf8(std::string& out, std::uint32_t code);

}  // namespace vipd::config
