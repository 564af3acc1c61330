// PybalEndpoints: PyBal's read-only HTTP resources (/pools, /pools/<service>,
// /pools/<service>/<host>, /alerts and the 404 answer), built from DaemonView snapshots with
// PyBal's bodies byte for byte, so that dashboards and Nagios-style checks written for PyBal
// keep working. Pure: no I/O, no sockets.
//
// PyBal writes JSON with Python 2's json.dumps (", " and ": " separators, non-ASCII escaped as
// \uXXXX) and a server's state as {"pooled", "enabled", "up", "weight"} in the order Python 2's
// dict gives. Where PyBal's order was Python's hash order (the list of pools, the hosts of a
// pool), vipd sorts by name: no client can have relied on a hash order.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/daemon_view.h"

namespace vipd::control {

enum class BodyFormat { Text, Json };

struct EndpointReply {
  unsigned status = 200;
  std::string content_type;  // "application/json" or "text/plain", as PyBal sends them
  std::string body;
};

class PybalEndpoints {
 public:
  explicit PybalEndpoints(const DaemonView& view) : view_(view) {}

  // The reply for a path (already split from its query) under /pools or /alerts, or nullopt
  // when the path is none of PyBal's resources. Unknown pools and hosts answer 404.
  std::optional<EndpointReply> answer(std::string_view path, BodyFormat format) const;

  // PyBal's 404: {"error": "The desired url was not found"} or its text.
  static EndpointReply notFound(BodyFormat format);

  // Whether a request's Accept header values ask for JSON: PyBal looked for the exact value
  // "application/json"; vipd also finds it inside a list of media ranges.
  static bool wantsJson(const std::vector<std::string>& accept_values);

  // A string as Python 2's json.dumps writes it, quotes included.
  static std::string pythonJsonString(std::string_view text);

  // The bodies themselves, for the router and the tests.
  static EndpointReply pools(const std::vector<ServiceView>& services, BodyFormat format);
  static EndpointReply pool(const ServiceView& service, BodyFormat format);
  static EndpointReply server(const ServerView& server, BodyFormat format);
  static EndpointReply alerts(const std::vector<ServiceView>& services, BodyFormat format);

  // "enabled/up/pooled", "disabled/partially up/not pooled" and so on, as PyBal's text.
  static std::string textStatus(const ServerView& server);

 private:
  std::optional<EndpointReply> answerPools(const std::vector<std::string>& segments,
                                           BodyFormat format) const;

  const DaemonView& view_;
};

}  // namespace vipd::control
