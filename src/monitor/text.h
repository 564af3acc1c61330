// Small text helpers for probe messages (pure, no I/O).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vipd::monitor {

// Text from the network made safe for a log line and a message: printable ASCII kept,
// quotes and backslashes escaped, anything else as \xNN, cut after `limit` input bytes
// with "..." appended.
std::string printable(std::string_view text, std::size_t limit = 64);

// A system error message as vipd writes them: "Connection refused" -> "connection refused".
std::string lowerFirst(std::string text);

}  // namespace vipd::monitor
