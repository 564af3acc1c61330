#include "control/status_page.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <map>

namespace vipd::control {

namespace {

constexpr std::string_view kStyle = R"(
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1d232a;background:#f6f7f9}
h1{font-size:1.4em;margin:0 0 .2em}h2{font-size:1.1em;margin:1.4em 0 .4em}
.meta{color:#555;margin-bottom:1em}
table{border-collapse:collapse;background:#fff;box-shadow:0 1px 2px #0002;min-width:40em}
th,td{padding:.35em .7em;text-align:left;border-bottom:1px solid #e3e6ea;vertical-align:top}
th{background:#eef0f3;font-weight:600}
.chip{display:inline-block;margin:.1em .25em .1em 0;padding:.1em .5em;border-radius:.8em;
font-size:.9em;border:1px solid #0002}
.up{background:#c9f2d0;color:#0b4d1a}.down{background:#f9c7c7;color:#7a0b0b}
.pooled-down{background:#ffd8a8;color:#7a3d00;font-weight:600}
.disabled{background:#dcdfe4;color:#4a4f57;text-decoration:line-through}
.unknown{background:#fff3bf;color:#5c4b00}
.yes{color:#0b6b22;font-weight:600}.no{color:#a50e0e;font-weight:600}
.legend .chip{margin-right:.6em}
)";

std::string timeText(WallTime time) {
  if (time == WallTime{}) {
    return "-";
  }
  return fmt::format("{:%Y-%m-%d %H:%M:%S} UTC",
                     std::chrono::time_point_cast<std::chrono::seconds>(time));
}

std::string chip(std::string_view state, std::string_view text, std::string_view title) {
  return fmt::format(R"(<span class="chip {}" title="{}">{}</span>)", state,
                     StatusPage::escape(title), StatusPage::escape(text));
}

std::string yesNo(bool value, std::string_view yes, std::string_view no) {
  return fmt::format(R"(<span class="{}">{}</span>)", value ? "yes" : "no", value ? yes : no);
}

std::string serviceAddress(const ServiceView& service) {
  if (service.address.empty()) {
    return fmt::format("fwmark {}", service.fwmark);
  }
  const bool v6 = service.address.find(':') != std::string::npos;
  if (v6) {
    return fmt::format("{} [{}]:{}", service.protocol, service.address, service.port);
  }
  return fmt::format("{} {}:{}", service.protocol, service.address, service.port);
}

std::string serverChips(const ServiceView& service) {
  std::string chips;
  for (const auto& server : service.server_list) {
    const auto state = StatusPage::serverState(server);
    const auto title =
        fmt::format("{}:{} weight {}, {}, {}", server.host, server.port, server.weight,
                    server.health, server.pooled ? "pooled" : "not pooled");
    chips += chip(state, server.host, title);
  }
  return chips;
}

std::string servicesTable(const std::vector<ServiceView>& services) {
  std::string html =
      "<table id=\"services\"><tr><th>service</th><th>address</th><th>up / pooled / all</th>"
      "<th>threshold</th><th>announced</th><th>servers</th></tr>\n";
  for (const auto& service : services) {
    const auto announced = service.announced ? yesNo(*service.announced, "announced", "withdrawn")
                                             : std::string("no BGP");
    html += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{} / {} / {}</td><td>{}</td><td title=\"{}\">{}</td>"
        "<td>{}</td></tr>\n",
        StatusPage::escape(service.name), StatusPage::escape(serviceAddress(service)), service.up,
        service.pooled, service.servers, service.depool_threshold,
        StatusPage::escape(service.announce_reason), announced, serverChips(service));
  }
  return html + "</table>\n";
}

std::string peersTable(const std::vector<PeerView>& peers) {
  std::string html =
      "<table id=\"peers\"><tr><th>peer</th><th>address</th><th>AS</th><th>state</th>"
      "<th>since</th><th>updates sent</th><th>last error</th></tr>\n";
  for (const auto& peer : peers) {
    html += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "</tr>\n",
        StatusPage::escape(peer.name), StatusPage::escape(peer.address), peer.peer_as,
        yesNo(peer.state == "Established", peer.state, StatusPage::escape(peer.state)),
        timeText(peer.since), peer.updates_sent, StatusPage::escape(peer.last_error));
  }
  return html + "</table>\n";
}

std::string vipsTable(const std::vector<RouteView>& routes) {
  std::string html =
      "<table id=\"vips\"><tr><th>prefix</th><th>peer</th><th>state</th><th>reason</th>"
      "<th>since</th></tr>\n";
  for (const auto& route : routes) {
    html += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        StatusPage::escape(route.prefix), StatusPage::escape(route.peer),
        yesNo(route.announced, StatusPage::escape(route.state), StatusPage::escape(route.state)),
        StatusPage::escape(route.reason), timeText(route.since));
  }
  return html + "</table>\n";
}

std::string legend() {
  return "<p class=\"legend\">" + chip("up", "up", "up and pooled") +
         chip("down", "down", "down and depooled") +
         chip("pooled-down", "pooled but down", "kept pooled by the depool threshold") +
         chip("disabled", "disabled", "disabled by the server list or an operator") +
         chip("unknown", "unknown", "not checked yet") + "</p>\n";
}

}  // namespace

std::string StatusPage::render(WallTime now) const {
  const auto status = view_.status();
  std::string html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"refresh\" content=\"{}\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<link rel=\"icon\" href=\"data:,\">\n<title>vipd on {}</title>\n<style>{}</style>\n"
      "</head><body>\n<h1>vipd on {}</h1>\n",
      kRefreshSeconds, escape(status.hostname), kStyle, escape(status.hostname));
  html += fmt::format(
      "<div class=\"meta\">version {} &middot; started {} &middot; configuration {} ({}, loaded "
      "{}) &middot; IPVS {}{} &middot; as of {}</div>\n",
      escape(status.version), timeText(status.started), escape(status.config_file),
      escape(status.config_format), timeText(status.config_loaded), escape(status.ipvs_backend),
      status.dry_run ? " (dry run)" : "", timeText(now));

  html += "<h2>Services</h2>\n" + legend() + servicesTable(view_.services());
  html += "<h2>BGP peers</h2>\n" + peersTable(view_.peers());
  html += "<h2>VIPs</h2>\n" + vipsTable(view_.routes());
  return html + "</body></html>\n";
}

std::string StatusPage::escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string StatusPage::serverState(const ServerView& server) {
  if (!server.enabled || server.operator_disabled) {
    return "disabled";
  }
  if (server.health == "up") {
    return "up";
  }
  if (server.health == "down") {
    return server.pooled ? "pooled-down" : "down";
  }
  return "unknown";
}

}  // namespace vipd::control
