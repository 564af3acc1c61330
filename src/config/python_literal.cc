#include "config/python_literal.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "config/text_checks.h"

namespace vipd::config {

namespace {

// Thrown inside the parser only; parsePythonLiteral turns it into its result.
struct Failure {
  std::size_t offset;
  std::string message;
};

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}
bool isNameChar(char c) {
  return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

class PythonLiteralParser {
 public:
  explicit PythonLiteralParser(std::string_view text) : text_(text) {}

  PyValue parseAll() {
    skipSpace();
    PyValue value = parseValue(0);
    skipSpace();
    if (at_ < text_.size()) {
      fail("unexpected text after the value; only one literal is allowed");
    }
    return value;
  }

 private:
  PyValue parseValue(int depth) {
    if (depth > kMaxPythonNesting) {
      fail("nested deeper than " + std::to_string(kMaxPythonNesting) + " levels");
    }
    const char c = peek();
    if (c == '[') {
      return parseSequence(PyValue::Kind::List, ']', depth);
    }
    if (c == '(') {
      return parseParenthesized(depth);
    }
    if (c == '{') {
      return parseDict(depth);
    }
    if (c == '\'' || c == '"') {
      return parseString(false);
    }
    if (isDigit(c) || c == '-' || c == '+' || c == '.') {
      return parseNumber();
    }
    if (isNameChar(c)) {
      return parseName();
    }
    if (c == '\0' && at_ >= text_.size()) {
      fail("expected a value, found the end of the text");
    }
    fail(std::string("expected a value (a string, number, True, False, None, list, tuple or "
                     "dict), found '") +
         c + "'");
  }

  PyValue start(PyValue::Kind kind) const {
    PyValue value;
    value.kind = kind;
    value.offset = at_;
    return value;
  }

  PyValue parseSequence(PyValue::Kind kind, char close, int depth) {
    PyValue value = start(kind);
    ++at_;
    while (true) {
      skipSpace();
      if (consume(close)) {
        return value;
      }
      value.items.push_back(parseValue(depth + 1));
      skipSpace();
      if (consume(close)) {
        return value;
      }
      expect(',', std::string("expected ',' or '") + close + "'");
    }
  }

  // "(x)" is x itself; "(x,)", "(x, y)" and "()" are tuples.
  PyValue parseParenthesized(int depth) {
    PyValue tuple = start(PyValue::Kind::Tuple);
    ++at_;
    skipSpace();
    if (consume(')')) {
      return tuple;
    }
    PyValue first = parseValue(depth + 1);
    skipSpace();
    if (consume(')')) {
      return first;
    }
    expect(',', "expected ',' or ')'");
    tuple.items.push_back(std::move(first));
    while (true) {
      skipSpace();
      if (consume(')')) {
        return tuple;
      }
      tuple.items.push_back(parseValue(depth + 1));
      skipSpace();
      if (consume(')')) {
        return tuple;
      }
      expect(',', "expected ',' or ')'");
    }
  }

  PyValue parseDict(int depth) {
    PyValue dict = start(PyValue::Kind::Dict);
    ++at_;
    while (true) {
      skipSpace();
      if (consume('}')) {
        return dict;
      }
      PyValue key = parseValue(depth + 1);
      if (key.kind == PyValue::Kind::List || key.kind == PyValue::Kind::Dict) {
        failAt(key.offset, "a dict key cannot be " + key.describe());
      }
      skipSpace();
      if (peek() == ',' || peek() == '}') {
        fail("sets are not supported; a dict needs 'key: value' pairs");
      }
      expect(':', "expected ':' after a dict key");
      skipSpace();
      PyValue value = parseValue(depth + 1);
      dict.entries.emplace_back(std::move(key), std::move(value));
      skipSpace();
      if (consume('}')) {
        return dict;
      }
      expect(',', "expected ',' or '}'");
    }
  }

  // A string with an optional u/b/r prefix; parsePrefix has consumed the prefix.
  PyValue parseString(bool raw) {
    PyValue value = start(PyValue::Kind::String);
    const char quote = text_[at_++];
    if (text_.substr(at_, 2) == std::string(2, quote)) {
      fail("triple-quoted strings are not supported");
    }
    while (true) {
      if (at_ >= text_.size() || text_[at_] == '\n') {
        failAt(value.offset, "the string is not closed");
      }
      const char c = text_[at_++];
      if (c == quote) {
        return value;
      }
      if (c != '\\') {
        value.text += c;
      } else if (raw) {
        value.text += c;
        if (at_ < text_.size()) {
          value.text += text_[at_++];
        }
      } else {
        parseEscape(value.text);
      }
    }
  }

  void parseEscape(std::string& out) {
    if (at_ >= text_.size()) {
      fail("the string is not closed");
    }
    const char c = text_[at_++];
    switch (c) {
      case '\\':
      case '\'':
      case '"':
        out += c;
        return;
      case 'n':
        out += '\n';
        return;
      case 't':
        out += '\t';
        return;
      case 'r':
        out += '\r';
        return;
      case '0':
        out += '\0';
        return;
      case 'a':
        out += '\a';
        return;
      case 'b':
        out += '\b';
        return;
      case 'f':
        out += '\f';
        return;
      case 'v':
        out += '\v';
        return;
      case 'x':
        appendUtf8(out, parseHex(2));
        return;
      case 'u':
        appendUtf8(out, parseHex(4));
        return;
      case 'U':
        appendUtf8(out, parseHex(8));
        return;
      default:
        // Python keeps an unknown escape as it is.
        out += '\\';
        out += c;
        return;
    }
  }

  std::uint32_t parseHex(std::size_t digits) {
    std::uint32_t code = 0;
    const std::string_view hex = text_.substr(at_, digits);
    const auto [end, error] = std::from_chars(hex.data(), hex.data() + hex.size(), code, 16);
    if (hex.size() != digits || error != std::errc{} || end != hex.data() + hex.size()) {
      fail("expected " + std::to_string(digits) + " hex digits in the escape");
    }
    if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      fail("the escape is not a Unicode scalar value");
    }
    at_ += digits;
    return code;
  }

  PyValue parseNumber() {
    PyValue value = start(PyValue::Kind::Int);
    const std::size_t begin = at_;
    const bool negative = peek() == '-';
    if (peek() == '-' || peek() == '+') {
      ++at_;
      skipSpace();
    }
    const std::size_t digits_start = at_;
    while (at_ < text_.size() && (isNameChar(text_[at_]) || text_[at_] == '.' ||
                                  ((text_[at_] == '-' || text_[at_] == '+') &&
                                   (text_[at_ - 1] == 'e' || text_[at_ - 1] == 'E')))) {
      ++at_;
    }
    std::string token(text_.substr(digits_start, at_ - digits_start));
    if (token.empty()) {
      failAt(begin, "expected a number after the sign");
    }
    if (token.back() == 'L' || token.back() == 'l') {
      token.pop_back();  // Python 2's long suffix
    }
    const bool is_float = token.find_first_of(".eE") != std::string::npos &&
                          token.rfind("0x", 0) != 0 && token.rfind("0X", 0) != 0;
    if (is_float) {
      value.kind = PyValue::Kind::Float;
      value.real = toFloat(token, begin) * (negative ? -1 : 1);
    } else {
      value.integer = toInteger(token, negative, begin);
    }
    return value;
  }

  double toFloat(const std::string& token, std::size_t begin) const {
    double real = 0;
    const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), real);
    if (error != std::errc{} || end != token.data() + token.size() || !std::isfinite(real)) {
      failAt(begin, "\"" + token + "\" is not a number");
    }
    return real;
  }

  std::int64_t toInteger(const std::string& token, bool negative, std::size_t begin) const {
    int base = 10;
    std::string_view digits = token;
    if (token.size() > 2 && token[0] == '0' && (token[1] == 'x' || token[1] == 'X')) {
      base = 16;
      digits.remove_prefix(2);
    } else if (token.size() > 1 && token[0] == '0') {
      failAt(begin, "\"" + token + "\" has a leading zero, which Python 2 read as octal");
    }
    std::uint64_t magnitude = 0;
    const auto [end, error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
    if (error == std::errc::result_out_of_range) {
      failAt(begin, "the number " + token + " is too large");
    }
    if (error != std::errc{} || end != digits.data() + digits.size()) {
      failAt(begin, "\"" + token + "\" is not a number");
    }
    const auto limit = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (magnitude > limit + (negative ? 1 : 0)) {
      failAt(begin, "the number " + token + " is too large");
    }
    if (negative) {
      return magnitude == limit + 1 ? std::numeric_limits<std::int64_t>::min()
                                    : -static_cast<std::int64_t>(magnitude);
    }
    return static_cast<std::int64_t>(magnitude);
  }

  PyValue parseName() {
    const std::size_t begin = at_;
    while (at_ < text_.size() && isNameChar(text_[at_])) {
      ++at_;
    }
    const std::string_view name = text_.substr(begin, at_ - begin);
    // A string prefix: u'...', b"...", r'...' and their combinations.
    if (name.size() <= 2 && (peek() == '\'' || peek() == '"') &&
        name.find_first_not_of("uUbBrR") == std::string_view::npos) {
      PyValue value = parseString(name.find_first_of("rR") != std::string_view::npos);
      value.offset = begin;
      return value;
    }
    PyValue value = start(PyValue::Kind::None);
    value.offset = begin;
    if (name == "True" || name == "False") {
      value.kind = PyValue::Kind::Bool;
      value.boolean = name == "True";
      return value;
    }
    if (name == "None") {
      return value;
    }
    failAt(begin, "\"" + std::string(name) +
                      "\" is a name, not a literal; vipd never evaluates "
                      "Python (write a string in quotes)");
  }

  // White space, line breaks and '#' comments up to the end of the line.
  void skipSpace() {
    while (at_ < text_.size()) {
      const char c = text_[at_];
      if (c == '#') {
        while (at_ < text_.size() && text_[at_] != '\n') {
          ++at_;
        }
      } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        ++at_;
      } else if (c == '\\' && at_ + 1 < text_.size() && text_[at_ + 1] == '\n') {
        at_ += 2;
      } else {
        return;
      }
    }
  }

  char peek() const { return at_ < text_.size() ? text_[at_] : '\0'; }

  bool consume(char c) {
    if (at_ < text_.size() && text_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }

  void expect(char c, const std::string& message) {
    if (!consume(c)) {
      fail(message);
    }
  }

  [[noreturn]] void fail(std::string message) const { failAt(at_, std::move(message)); }
  [[noreturn]] void failAt(std::size_t offset, std::string message) const {
    throw Failure{offset, std::move(message)};
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

// The 1-based column of `offset` on its own line (a value may span lines).
int columnOf(std::string_view text, std::size_t offset) {
  const std::size_t newline = offset == 0 ? std::string_view::npos : text.rfind('\n', offset - 1);
  return static_cast<int>(offset - (newline == std::string_view::npos ? 0 : newline + 1)) + 1;
}

}  // namespace

std::string PyValue::describe() const {
  switch (kind) {
    case Kind::None:
      return "None";
    case Kind::Bool:
      return "a boolean";
    case Kind::Int:
      return "a whole number";
    case Kind::Float:
      return "a decimal number";
    case Kind::String:
      return "a string";
    case Kind::List:
      return "a list";
    case Kind::Tuple:
      return "a tuple";
    case Kind::Dict:
      return "a dict";
  }
  return "a value";
}

const PyValue* PyValue::find(std::string_view key) const {
  for (const auto& [entry_key, entry_value] : entries) {
    if (entry_key.kind == Kind::String && entry_key.text == key) {
      return &entry_value;
    }
  }
  return nullptr;
}

std::expected<PyValue, PyParseError> parsePythonLiteral(std::string_view text) {
  try {
    PythonLiteralParser parser(text);
    return parser.parseAll();
  } catch (const Failure& failure) {
    const auto before = text.substr(0, std::min(failure.offset, text.size()));
    const int line = 1 + static_cast<int>(std::count(before.begin(), before.end(), '\n'));
    return std::unexpected(PyParseError{line, columnOf(text, failure.offset), failure.message});
  }
}

}  // namespace vipd::config
