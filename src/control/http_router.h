// HttpRouter: what the HTTP instrumentation answers to one request, without sockets. GET and
// HEAD only (405 otherwise); "/" the status page, "/metrics" the Prometheus exposition,
// /pools and /alerts PyBal's resources; anything else PyBal's 404. It only reads the daemon.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "control/daemon_view.h"

namespace vipd::control {

struct HttpReply {
  unsigned status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // beyond Content-Type
};

class HttpRouter {
 public:
  explicit HttpRouter(const DaemonView& view) : view_(view) {}

  // `target` is the request target as sent (path and query); `accept` the Accept values.
  HttpReply route(std::string_view method, std::string_view target,
                  const std::vector<std::string>& accept) const;

 private:
  const DaemonView& view_;
};

}  // namespace vipd::control
