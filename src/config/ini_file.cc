#include "config/ini_file.h"

#include <algorithm>
#include <map>
#include <utility>

#include "config/text_checks.h"

namespace vipd::config {

namespace {

constexpr int kMaxInterpolationDepth = 10;

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view strip(std::string_view text) {
  while (!text.empty() && isSpace(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && isSpace(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

// ConfigParser's comment lines: blank, '#' or ';' first, or a "rem" line.
bool isComment(std::string_view line) {
  if (strip(line).empty() || line.front() == '#' || line.front() == ';') {
    return true;
  }
  return (line.front() == 'r' || line.front() == 'R') && lower(line.substr(0, 3)) == "rem" &&
         (line.size() == 3 || isSpace(line[3]));
}

class IniParser {
 public:
  IniParser(std::string_view text, const std::string& file) : text_(text), file_(file) {}

  std::expected<IniFile, Diagnostics> parse() {
    int number = 0;
    std::size_t start = 0;
    while (start < text_.size()) {
      ++number;
      const std::size_t end = std::min(text_.find('\n', start), text_.size());
      parseLine(text_.substr(start, end - start), number);
      start = end + 1;
    }
    if (!errors_.empty()) {
      return std::unexpected(std::move(errors_));
    }
    return std::move(ini_);
  }

 private:
  void parseLine(std::string_view line, int number) {
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (isComment(line)) {
      return;
    }
    if (isSpace(line.front()) && current_ != nullptr && last_ != nullptr) {
      last_->value += "\n" + std::string(strip(line));
      return;
    }
    last_ = nullptr;
    if (line.front() == '[') {
      parseHeader(line, number);
      return;
    }
    if (current_ == nullptr) {
      error(number, "a key before the first [section] header");
      return;
    }
    parseOption(line, number);
  }

  // "[name]"; as in ConfigParser, anything after the ']' is ignored.
  void parseHeader(std::string_view line, int number) {
    const std::size_t close = line.find(']');
    if (close == std::string_view::npos || close == 1) {
      error(number, "expected a section header such as [global]");
      current_ = nullptr;
      return;
    }
    const std::string name(line.substr(1, close - 1));
    if (name == "DEFAULT") {
      ini_.defaults.name = name;
      ini_.defaults.line = number;
      current_ = &ini_.defaults;
      return;
    }
    const auto [it, inserted] = section_lines_.emplace(name, number);
    if (!inserted) {
      error(number, "section [" + name + "] given twice: first at line " +
                        std::to_string(it->second) + ", again at line " + std::to_string(number));
      current_ = nullptr;
      return;
    }
    ini_.sections.push_back({name, number, {}});
    current_ = &ini_.sections.back();
  }

  void parseOption(std::string_view line, int number) {
    const std::size_t delimiter = line.find_first_of("=:");
    if (delimiter == std::string_view::npos || delimiter == 0 || isSpace(line.front())) {
      error(number, "expected \"key = value\" or \"key: value\"");
      return;
    }
    const std::string key = lower(strip(line.substr(0, delimiter)));
    std::string_view value = line.substr(delimiter + 1);
    // Python 2's inline comment: a ';' after white space ends the value.
    for (std::size_t at = value.find(';'); at != std::string_view::npos;
         at = value.find(';', at + 1)) {
      if (at > 0 && isSpace(value[at - 1])) {
        value = value.substr(0, at);
        break;
      }
    }
    value = strip(value);
    if (value == "\"\"") {
      value = {};
    }
    if (const IniEntry* previous = current_->find(key)) {
      error(number, "key " + key + " given twice in [" + current_->name + "]: first at line " +
                        std::to_string(previous->line) + ", again at line " +
                        std::to_string(number));
      return;
    }
    current_->entries.push_back({key, std::string(value), number});
    last_ = &current_->entries.back();
  }

  void error(int line, std::string message) {
    errors_.push_back({Diagnostic::Severity::Error, file_, line, "", std::move(message)});
  }

  std::string_view text_;
  const std::string& file_;
  IniFile ini_;
  // The section being read: &ini_.defaults or &ini_.sections.back(), set anew after every
  // push_back, so a reallocation never leaves it dangling; last_ likewise.
  IniSection* current_ = nullptr;
  IniEntry* last_ = nullptr;
  std::map<std::string, int> section_lines_;
  Diagnostics errors_;
};

}  // namespace

const IniEntry* IniSection::find(std::string_view key) const {
  for (const IniEntry& entry : entries) {
    if (entry.key == key) {
      return &entry;
    }
  }
  return nullptr;
}

std::vector<IniEntry> IniFile::entriesOf(const IniSection& section) const {
  std::vector<IniEntry> entries = section.entries;
  for (const IniEntry& inherited : defaults.entries) {
    if (section.find(inherited.key) == nullptr) {
      entries.push_back(inherited);
    }
  }
  return entries;
}

std::expected<std::string, std::string> IniFile::interpolate(const IniSection& section,
                                                             const std::string& value) const {
  std::string current = value;
  for (int depth = 0; depth < kMaxInterpolationDepth; ++depth) {
    if (current.find('%') == std::string::npos) {
      return current;
    }
    std::string out;
    bool again = false;
    for (std::size_t at = 0; at < current.size(); ++at) {
      if (current[at] != '%') {
        out += current[at];
        continue;
      }
      if (at + 1 < current.size() && current[at + 1] == '%') {
        out += '%';
        ++at;
        continue;
      }
      const std::size_t close = current.find(")s", at);
      if (at + 1 >= current.size() || current[at + 1] != '(' || close == std::string::npos) {
        return std::unexpected("'%' must be followed by '%' or '(name)s' (in: " + value + ")");
      }
      const std::string name = lower(current.substr(at + 2, close - at - 2));
      const IniEntry* entry = section.find(name);
      entry = entry != nullptr ? entry : defaults.find(name);
      if (entry == nullptr) {
        return std::unexpected("%(" + name + ")s names no key of [" + section.name + "]");
      }
      out += entry->value;
      again = again || entry->value.find('%') != std::string::npos;
      at = close + 1;
    }
    current = std::move(out);
    if (!again) {
      return current;
    }
  }
  return std::unexpected("interpolation nested deeper than 10 levels (in: " + value + ")");
}

std::expected<IniFile, Diagnostics> parseIni(std::string_view text, const std::string& file) {
  if (const auto problem = checkText(text)) {
    return std::unexpected(
        Diagnostics{{Diagnostic::Severity::Error, file, problem->line, "", problem->message}});
  }
  return IniParser(text, file).parse();
}

}  // namespace vipd::config
