// StatusPage: the HTML page at "/" that a person reads at a glance: the services with their
// servers coloured by state (up, down, pooled but down, disabled), the BGP peers and the
// announced VIPs. Self-contained (inline CSS, no script, no external resource) and refreshed
// by the browser every kRefreshSeconds. Pure: built from DaemonView snapshots.
#pragma once

#include <string>
#include <string_view>

#include "control/daemon_view.h"

namespace vipd::control {

class StatusPage {
 public:
  static constexpr int kRefreshSeconds = 10;
  static constexpr std::string_view kContentType = "text/html; charset=utf-8";
  // What the page needs and no more: inline styles and the empty data: icon.
  static constexpr std::string_view kContentSecurityPolicy =
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

  explicit StatusPage(const DaemonView& view) : view_(view) {}

  // The page as of `now`.
  std::string render(WallTime now) const;

  // Text with &, <, >, " and ' escaped for HTML.
  static std::string escape(std::string_view text);

  // The state class of a server: "up", "down", "pooled-down", "disabled" or "unknown".
  static std::string serverState(const ServerView& server);

 private:
  const DaemonView& view_;
};

}  // namespace vipd::control
