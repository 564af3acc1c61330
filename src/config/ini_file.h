// parseIni: pybal.conf's INI dialect, read the way Python 2's ConfigParser (PyBal's
// SafeConfigParser) reads it: [section] headers, "key = value" or "key: value" with keys in
// lower case, '#' and ';' comment lines, " ;" inline comments, indented continuation lines,
// a [DEFAULT] section whose keys every other section inherits, and %(key)s interpolation.
// Unlike ConfigParser, a section or a key given twice is an error naming both lines.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostic.h"

namespace vipd::config {

struct IniEntry {
  std::string key;    // lower case
  std::string value;  // continuation lines joined with '\n'; not yet interpolated
  int line = 0;       // of the key
};

struct IniSection {
  std::string name;
  int line = 0;  // of the header
  std::vector<IniEntry> entries;

  const IniEntry* find(std::string_view key) const;
};

struct IniFile {
  std::vector<IniSection> sections;  // in file order, without [DEFAULT]
  IniSection defaults;               // [DEFAULT], empty when absent

  // A section's entries followed by the [DEFAULT] entries it does not override.
  std::vector<IniEntry> entriesOf(const IniSection& section) const;

  // `value` with %(key)s taken from the section (or [DEFAULT]) and %% as %; nullopt and a
  // message for a bad reference, as SafeConfigParser raises one.
  std::expected<std::string, std::string> interpolate(const IniSection& section,
                                                      const std::string& value) const;
};

// Every syntax error at once, each with its line.
std::expected<IniFile, Diagnostics> parseIni(std::string_view text, const std::string& file);

}  // namespace vipd::config
