#include "monitor/http_url.h"

#include <algorithm>
#include <charconv>

namespace vipd::monitor {

namespace {

bool unsafe(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte <= 0x20 || byte == 0x7f;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

// Splits "host[:port]" or "[v6][:port]"; checks the port is 1..65535 when present.
std::expected<void, std::string> splitAuthority(std::string_view authority, HttpUrl& url) {
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return std::unexpected("unclosed [ in host");
    }
    host = authority.substr(1, close - 1);
    const auto rest = authority.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) {
      return std::unexpected("junk after ] in host");
    }
    port = rest.empty() ? rest : rest.substr(1);
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }

  if (host.empty()) {
    return std::unexpected("empty host");
  }
  if (authority.find(':') != std::string_view::npos && !authority.starts_with('[') &&
      host.find(':') != std::string_view::npos) {
    return std::unexpected("an IPv6 host needs brackets");
  }
  unsigned value = 0;
  const auto parsed = std::from_chars(port.data(), port.data() + port.size(), value);
  if (!port.empty() && (parsed.ec != std::errc{} || parsed.ptr != port.data() + port.size() ||
                        value == 0 || value > 65535)) {
    return std::unexpected("bad port");
  }

  url.host = lower(host);
  url.host_field = lower(authority);
  if (authority.ends_with(':')) {
    url.host_field.pop_back();
  }
  return {};
}

}  // namespace

std::expected<HttpUrl, std::string> parseHttpUrl(std::string_view text) {
  if (std::any_of(text.begin(), text.end(), unsafe)) {
    return std::unexpected("control character or space in url");
  }

  HttpUrl url;
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) {
    return std::unexpected("no scheme in url");
  }
  const std::string scheme = lower(text.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") {
    return std::unexpected("scheme is not http or https");
  }
  url.tls = scheme == "https";

  const auto rest = text.substr(scheme_end + 3);
  const auto authority_end = rest.find_first_of("/?#");
  const auto authority = rest.substr(0, authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return std::unexpected("user info in url");
  }
  if (auto split = splitAuthority(authority, url); !split) {
    return std::unexpected(split.error());
  }

  auto target =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  target = target.substr(0, target.find('#'));
  url.target = target.starts_with('/') ? std::string(target) : "/" + std::string(target);
  return url;
}

}  // namespace vipd::monitor
