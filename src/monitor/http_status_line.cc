#include "monitor/http_status_line.h"

#include <algorithm>

#include "monitor/text.h"

namespace vipd::monitor {

namespace {

constexpr std::string_view kHttpName = "HTTP/";

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

// reason-phrase = *( HTAB / SP / VCHAR / obs-text ): anything but the other controls.
bool isReasonPhrase(std::string_view text) {
  return std::ranges::none_of(text, [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return (byte < 0x20 && c != '\t') || byte == 0x7f;
  });
}

std::expected<std::optional<unsigned>, std::string> malformed(std::string_view line,
                                                              std::string_view why) {
  std::string message = "malformed status line \"";
  message += printable(line);
  message += "\": ";
  message += why;
  return std::unexpected(std::move(message));
}

std::expected<std::optional<unsigned>, std::string> parseLine(std::string_view line) {
  // "HTTP/1.1 200" is the shortest line there is.
  if (line.size() < kHttpName.size() + 7 || !line.starts_with(kHttpName)) {
    return malformed(line, "not an HTTP/1.x response");
  }
  const std::string_view version = line.substr(kHttpName.size(), 3);
  if (!isDigit(version[0]) || version[1] != '.' || !isDigit(version[2])) {
    return malformed(line, "bad version");
  }
  if (version[0] != '1') {
    return malformed(line, "not HTTP/1.x");
  }
  const std::string_view rest = line.substr(kHttpName.size() + 3);
  if (rest[0] != ' ' || !isDigit(rest[1]) || !isDigit(rest[2]) || !isDigit(rest[3])) {
    return malformed(line, "no three-digit status code");
  }
  if (rest.size() > 4 && (rest[4] != ' ' || !isReasonPhrase(rest.substr(5)))) {
    return malformed(line, "bad reason phrase");
  }
  const auto digit = [&](std::size_t i) { return static_cast<unsigned>(rest[i] - '0'); };
  return digit(1) * 100 + digit(2) * 10 + digit(3);
}

}  // namespace

std::expected<std::optional<unsigned>, std::string> parseStatusLine(std::string_view received) {
  const std::size_t end = received.find('\n');
  if (end == std::string_view::npos) {
    // Refuse what is not a response at once rather than waiting for a line that never ends.
    const std::size_t known = std::min(received.size(), kHttpName.size());
    if (received.substr(0, known) != kHttpName.substr(0, known)) {
      return malformed(received, "not an HTTP/1.x response");
    }
    return std::nullopt;
  }
  std::string_view line = received.substr(0, end);
  if (line.ends_with('\r')) {
    line.remove_suffix(1);
  }
  return parseLine(line);
}

}  // namespace vipd::monitor
