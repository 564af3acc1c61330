// Loading a configuration: the native JSON file (RFC 7951 encoding of vipd.yang) or PyBal's
// pybal.conf, both validated by libyang against the one built-in schema. Nothing here
// throws: every problem comes back as a Diagnostic, all of them at once.
#pragma once

#include <expected>
#include <filesystem>
#include <string>

#include "config/diagnostic.h"
#include "config/model.h"

namespace vipd::config {

struct Loaded {
  Config config;
  Diagnostics warnings;         // e.g. keys PyBal does not know, with file and line
  std::string normalized_json;  // the native JSON form, for --check-config
};

std::expected<Loaded, Diagnostics> loadNativeConfig(const std::filesystem::path& file);
std::expected<Loaded, Diagnostics> loadPybalConfig(const std::filesystem::path& file);

// The same from text in memory (tests, reloads); `file` only names it in diagnostics.
std::expected<Loaded, Diagnostics> parseNativeConfig(std::string_view text,
                                                     const std::string& file);
std::expected<Loaded, Diagnostics> parsePybalConfig(std::string_view text, const std::string& file);

// The YANG module built into the binary.
std::string_view yangModule();

}  // namespace vipd::config
