// HttpProbe: the http kind (PyBal's ProxyFetch), https by the URL's scheme.
//
// A check GETs one URL chosen at random, or every URL with check_all (then up unless more than
// max_failures of them fail), each on a new connection to the SERVER's address and port. The
// URL gives the Host header (and for https the SNI name and the name the certificate must
// match, when tls_verify is on, against the system's CA store) and the path and query.
// Up when the status is exactly http_status (a 3xx value expects a redirect, which is not
// followed) and, with body_match, the body contains that text. The request says
// `Connection: close` and names vipd as its User-Agent; the response is read with Beast's
// parser, its header bounded to 16 KiB and its body to 1 MiB (read only for body_match).
#pragma once

#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "config/model.h"
#include "monitor/http_url.h"
#include "monitor/probe.h"

namespace vipd::monitor {

class HttpProbe final : public Probe {
 public:
  // What every fetch of this probe shares; read-only once built.
  struct Settings {
    std::vector<std::expected<HttpUrl, std::string>> urls;  // a parse error names the URL
    std::uint32_t http_status = 200;
    bool check_all = false;
    std::uint32_t max_failures = 0;
    std::optional<std::string> body_match;
    bool tls_verify = true;
  };

  HttpProbe(boost::asio::io_context& io, IpAddress address, std::uint16_t port,
            const config::HttpParams& params);
  ~HttpProbe() override;

  void start(Done done) override;
  void cancel() override;

 private:
  class Check;

  boost::asio::io_context& io_;
  IpAddress address_;
  std::uint16_t port_;
  Settings settings_;
  std::weak_ptr<Check> check_;
};

}  // namespace vipd::monitor
