// HttpUrl: what the http monitor needs from one of its URLs (pure, no I/O). The connection
// goes to the server's address, not to the URL's host: the host only names the site, in the
// Host header and (https) in TLS SNI and certificate verification.
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace vipd::monitor {

struct HttpUrl {
  bool tls = false;        // https
  std::string host;        // "example.org", "192.0.2.1", "2001:db8::1" (no brackets)
  std::string host_field;  // the Host header: the host, with the port when the URL gives one
  std::string target;      // path and query, at least "/"; the fragment dropped
};

// Parses "http://host[:port][/path][?query][#fragment]" and https likewise. Refuses other
// schemes, user info, an empty host, a bad port, and characters that could split a request
// line or header (controls, spaces).
std::expected<HttpUrl, std::string> parseHttpUrl(std::string_view text);

}  // namespace vipd::monitor
