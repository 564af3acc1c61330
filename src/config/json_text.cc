#include "config/json_text.h"

#include <boost/json.hpp>
#include <charconv>
#include <cstdint>
#include <map>
#include <utility>

#include "config/text_checks.h"

namespace vipd::config {

namespace {

// A syntax error stops the parse; it unwinds to parseJsonText and no further.
struct SyntaxError {
  std::size_t offset;
  std::string message;
};

class JsonTextParser {
 public:
  JsonTextParser(std::string_view text, const std::string& file) : text_(text), file_(file) {}

  LocatedJson parseDocument() {
    LocatedJson result;
    skipSpace();
    result.value = parseValue("", 0);
    skipSpace();
    if (at_ != text_.size()) {
      fail("expected the end of the document after the top-level value");
    }
    result.lines = std::move(lines_);
    return result;
  }

  Diagnostics& duplicates() { return duplicates_; }

 private:
  boost::json::value parseValue(const std::string& pointer, int depth) {
    if (depth > kMaxJsonDepth) {
      fail("nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    lines_.add(pointer, line());
    switch (peek()) {
      case '{':
        return parseObject(pointer, depth);
      case '[':
        return parseArray(pointer, depth);
      case '"':
        return boost::json::value(parseString());
      case 't':
        expectWord("true");
        return boost::json::value(true);
      case 'f':
        expectWord("false");
        return boost::json::value(false);
      case 'n':
        expectWord("null");
        return boost::json::value(nullptr);
      default:
        return parseNumber();
    }
  }

  boost::json::value parseObject(const std::string& pointer, int depth) {
    boost::json::object object;
    std::map<std::string, int> member_lines;
    ++at_;
    skipSpace();
    if (consume('}')) {
      return object;
    }
    while (true) {
      skipSpace();
      if (peek() != '"') {
        fail("expected a member name in double quotes");
      }
      const int key_line = line();
      std::string key = parseString();
      skipSpace();
      if (!consume(':')) {
        fail("expected ':' after the member name");
      }
      skipSpace();
      const std::string child = pointer + "/" + LineIndex::escapeToken(key);
      boost::json::value value = parseValue(child, depth + 1);
      lines_.add(child, key_line);
      noteMember(member_lines, key, key_line, child);
      object.insert_or_assign(key, std::move(value));
      skipSpace();
      if (consume('}')) {
        return object;
      }
      if (!consume(',')) {
        fail("expected ',' or '}' after an object member");
      }
    }
  }

  void noteMember(std::map<std::string, int>& seen, const std::string& key, int key_line,
                  const std::string& pointer) {
    const auto [it, inserted] = seen.emplace(key, key_line);
    if (inserted) {
      return;
    }
    duplicates_.push_back({Diagnostic::Severity::Error, file_, key_line, pointer,
                           "member \"" + key + "\" given twice: first at line " +
                               std::to_string(it->second) + ", again at line " +
                               std::to_string(key_line)});
  }

  boost::json::value parseArray(const std::string& pointer, int depth) {
    boost::json::array array;
    ++at_;
    skipSpace();
    if (consume(']')) {
      return array;
    }
    while (true) {
      skipSpace();
      array.push_back(parseValue(pointer + "/" + std::to_string(array.size()), depth + 1));
      skipSpace();
      if (consume(']')) {
        return array;
      }
      if (!consume(',')) {
        fail("expected ',' or ']' after an array element");
      }
    }
  }

  std::string parseString() {
    std::string out;
    ++at_;
    while (true) {
      if (at_ >= text_.size()) {
        fail("the string is not closed");
      }
      const char c = text_[at_++];
      if (c == '"') {
        return out;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        fail("a control character inside a string (write it as an escape such as \\n)");
      }
      if (c != '\\') {
        out += c;
        continue;
      }
      parseEscape(out);
    }
  }

  void parseEscape(std::string& out) {
    if (at_ >= text_.size()) {
      fail("the string is not closed");
    }
    const char c = text_[at_++];
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out += c;
        return;
      case 'b':
        out += '\b';
        return;
      case 'f':
        out += '\f';
        return;
      case 'n':
        out += '\n';
        return;
      case 'r':
        out += '\r';
        return;
      case 't':
        out += '\t';
        return;
      case 'u':
        appendUtf8(out, parseCodePoint());
        return;
      default:
        fail("an unknown escape \\" + std::string(1, c) + " in a string");
    }
  }

  // \uXXXX, and a surrogate pair as one code point.
  std::uint32_t parseCodePoint() {
    std::uint32_t code = parseHex4();
    if (code >= 0xDC00 && code <= 0xDFFF) {
      fail("a lone low surrogate in a \\u escape");
    }
    if (code >= 0xD800 && code <= 0xDBFF) {
      if (text_.substr(at_, 2) != "\\u") {
        fail("a high surrogate not followed by a low one");
      }
      at_ += 2;
      const std::uint32_t low = parseHex4();
      if (low < 0xDC00 || low > 0xDFFF) {
        fail("a high surrogate not followed by a low one");
      }
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    }
    return code;
  }

  std::uint32_t parseHex4() {
    std::uint32_t value = 0;
    const std::string_view digits = text_.substr(at_, 4);
    const auto [end, error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), value, 16);
    if (digits.size() != 4 || error != std::errc{} || end != digits.data() + 4) {
      fail("expected four hex digits after \\u");
    }
    at_ += 4;
    return value;
  }

  // RFC 8259's number grammar; boost::json converts the checked token exactly.
  boost::json::value parseNumber() {
    const std::size_t start = at_;
    consume('-');
    if (!consume('0')) {
      if (!digits()) {
        fail("expected a JSON value (an object, array, string, number, true, false or null)");
      }
    }
    if (consume('.') && !digits()) {
      fail("expected a digit after the decimal point");
    }
    if (consume('e') || consume('E')) {
      if (!consume('+')) {
        consume('-');
      }
      if (!digits()) {
        fail("expected a digit in the exponent");
      }
    }
    boost::system::error_code error;
    boost::json::value value = boost::json::parse(text_.substr(start, at_ - start), error);
    if (error) {
      at_ = start;
      fail("a number out of range");
    }
    return value;
  }

  bool digits() {
    const std::size_t start = at_;
    while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') {
      ++at_;
    }
    return at_ > start;
  }

  void expectWord(std::string_view word) {
    if (text_.substr(at_, word.size()) != word) {
      fail("expected a JSON value (an object, array, string, number, true, false or null)");
    }
    at_ += word.size();
  }

  void skipSpace() {
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r')) {
      ++at_;
    }
  }

  char peek() const { return at_ < text_.size() ? text_[at_] : '\0'; }

  bool consume(char c) {
    if (peek() != c || at_ >= text_.size()) {
      return false;
    }
    ++at_;
    return true;
  }

  int line() const { return lineAt(text_, at_); }

  [[noreturn]] void fail(std::string message) const { throw SyntaxError{at_, std::move(message)}; }

  std::string_view text_;
  const std::string& file_;
  std::size_t at_ = 0;
  LineIndex lines_;
  Diagnostics duplicates_;
};

int columnAt(std::string_view text, std::size_t offset) {
  if (offset == 0) {
    return 1;
  }
  const std::size_t newline = text.rfind('\n', offset - 1);
  const std::size_t start = newline == std::string_view::npos ? 0 : newline + 1;
  return 1 + static_cast<int>(offset - start);
}

}  // namespace

std::expected<LocatedJson, Diagnostics> parseJsonText(std::string_view text,
                                                      const std::string& file) {
  if (const auto problem = checkText(text)) {
    return std::unexpected(
        Diagnostics{{Diagnostic::Severity::Error, file, problem->line, "", problem->message}});
  }
  JsonTextParser parser(text, file);
  try {
    LocatedJson result = parser.parseDocument();
    if (!parser.duplicates().empty()) {
      return std::unexpected(std::move(parser.duplicates()));
    }
    return result;
  } catch (const SyntaxError& error) {
    const std::string where =
        "invalid JSON at column " + std::to_string(columnAt(text, error.offset)) + ": ";
    return std::unexpected(Diagnostics{{Diagnostic::Severity::Error, file,
                                        lineAt(text, error.offset), "", where + error.message}});
  }
}

}  // namespace vipd::config
