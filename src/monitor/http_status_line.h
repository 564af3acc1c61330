// parseStatusLine: the status code of an HTTP/1.x response, from its first bytes (pure, no
// I/O). Unless it must match the body, the http monitor reads only this line: the header
// fields that follow are neither parsed nor kept, however many there are.
//
// status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF (RFC 9112, section 4),
// HTTP-version = "HTTP/" DIGIT "." DIGIT (section 2.3), of major version 1. A bare LF ends the
// line too (section 2.2 lets a recipient accept it), and the SP before an empty reason phrase
// may be missing, as some servers send it.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace vipd::monitor {

// The status code once `received` holds the whole line; std::nullopt while it may still
// become one (read more); an error in words as soon as it cannot.
std::expected<std::optional<unsigned>, std::string> parseStatusLine(std::string_view received);

}  // namespace vipd::monitor
