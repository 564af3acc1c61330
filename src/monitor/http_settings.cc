#include "monitor/http_settings.h"

#include <fmt/format.h>

#include "monitor/text.h"

namespace vipd::monitor {

namespace {

constexpr std::string_view kUserAgent = "vipd (health check)";

PreparedUrl prepare(HttpUrl url, std::uint32_t http_status) {
  PreparedUrl prepared;
  prepared.request = httpRequest(url);
  prepared.up_message = fmt::format("{}: status {}", url.tls ? "https" : "http", http_status);
  prepared.url = std::move(url);
  return prepared;
}

}  // namespace

std::string httpRequest(const HttpUrl& url) {
  return fmt::format(
      "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: {}\r\nAccept: */*\r\nConnection: close\r\n\r\n",
      url.target, url.host_field, kUserAgent);
}

HttpSettings makeHttpSettings(const config::HttpParams& params) {
  HttpSettings settings;
  for (const std::string& text : params.urls) {
    auto url = parseHttpUrl(text);
    if (!url) {
      settings.urls.emplace_back(
          std::unexpected(fmt::format("http: bad url \"{}\": {}", printable(text), url.error())));
    } else {
      settings.urls.emplace_back(prepare(std::move(*url), params.http_status));
    }
  }
  settings.http_status = params.http_status;
  settings.check_all = params.check_all;
  settings.max_failures = params.max_failures;
  settings.body_match = params.body_match;
  settings.tls_verify = params.tls_verify;
  return settings;
}

}  // namespace vipd::monitor
