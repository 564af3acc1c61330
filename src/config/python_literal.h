// parsePythonLiteral: reads the Python literals that PyBal's files hold (strings, numbers,
// True/False/None, lists, tuples, dicts) without evaluating anything. PyBal ran eval() on
// them; vipd parses a safe subset and rejects everything else (names, calls, operators,
// sets) with the column where it starts. Nesting is bounded, so hostile input cannot
// exhaust the stack.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vipd::config {

inline constexpr int kMaxPythonNesting = 32;

struct PyValue {
  enum class Kind : std::uint8_t { None, Bool, Int, Float, String, List, Tuple, Dict };

  Kind kind = Kind::None;
  bool boolean = false;
  std::int64_t integer = 0;
  double real = 0;
  std::string text;                                  // String
  std::vector<PyValue> items;                        // List, Tuple
  std::vector<std::pair<PyValue, PyValue>> entries;  // Dict, in the order written
  std::size_t offset = 0;                            // where the value starts in the text

  // "a string", "a list", ... for messages.
  std::string describe() const;
  // A dict's value for a string key, or nullptr.
  const PyValue* find(std::string_view key) const;
};

struct PyParseError {
  int line = 1;    // 1-based, within the text given (a value may span lines)
  int column = 1;  // 1-based, on that line
  std::string message;
};

// One literal, optionally surrounded by white space (newlines included) and followed by a
// '#' comment, as eval() would accept it.
std::expected<PyValue, PyParseError> parsePythonLiteral(std::string_view text);

}  // namespace vipd::config
