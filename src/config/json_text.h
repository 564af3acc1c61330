// parseJsonText: reads JSON text (RFC 8259) into a boost::json value and records the line of
// every value, so that later errors (libyang's, vipd's own checks) can name a line. It also
// refuses what libyang would silently accept: a member name given twice in one object.
#pragma once

#include <boost/json/value.hpp>
#include <expected>
#include <string>
#include <string_view>

#include "config/diagnostic.h"
#include "config/line_index.h"

namespace vipd::config {

struct LocatedJson {
  boost::json::value value;
  LineIndex lines;  // JSON pointer -> line
};

inline constexpr int kMaxJsonDepth = 64;

// The document, or its errors: the first syntax error (with line and column), or every
// duplicate member name (with both lines).
std::expected<LocatedJson, Diagnostics> parseJsonText(std::string_view text,
                                                      const std::string& file);

}  // namespace vipd::config
