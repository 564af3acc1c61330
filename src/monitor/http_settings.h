// HttpSettings: what every check of one configured http monitor shares, built once per service
// from its parameters (pure, no I/O): each URL parsed, with its request and its success
// message written out, so that a check formats nothing before it fails.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "config/model.h"
#include "monitor/http_url.h"

namespace vipd::monitor {

struct PreparedUrl {
  HttpUrl url;
  std::string request;     // the whole GET request, ready to send
  std::string up_message;  // "http: status 200"
};

struct HttpSettings {
  std::vector<std::expected<PreparedUrl, std::string>> urls;  // a parse error names the URL
  std::uint32_t http_status = 200;
  bool check_all = false;
  std::uint32_t max_failures = 0;
  std::optional<std::string> body_match;
  bool tls_verify = true;
};

HttpSettings makeHttpSettings(const config::HttpParams& params);

// The request the http monitor sends for `url`: GET with Host, a User-Agent naming vipd, and
// `Connection: close`.
std::string httpRequest(const HttpUrl& url);

}  // namespace vipd::monitor
