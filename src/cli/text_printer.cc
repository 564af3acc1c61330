#include "cli/text_printer.h"

#include <fmt/format.h>

#include <cmath>
#include <ctime>

#include "cli/table.h"

namespace vipd::cli {

namespace {

using control::Reply;

std::string yesNo(bool value) {
  return value ? "yes" : "no";
}

std::string portText(std::uint32_t port) {
  return port == 0 ? "-" : std::to_string(port);
}

std::string vipText(const control::Service& service) {
  return service.address().empty() ? "fwmark " + std::to_string(service.fwmark())
                                   : service.address();
}

std::string latency(double seconds) {
  return fmt::format("{:.1f}ms", seconds * 1000);
}

std::string joined(const google::protobuf::RepeatedPtrField<std::string>& words,
                   const std::string& separator) {
  std::string out;
  for (const auto& word : words) {
    out += (out.empty() ? "" : separator) + word;
  }
  return out;
}

std::string monitorSummary(const control::Server& server) {
  std::string out;
  for (const auto& monitor : server.monitors()) {
    out += (out.empty() ? "" : ", ") + monitor.name() + " " + monitor.verdict();
  }
  return out.empty() ? "-" : out;
}

std::string enabledText(const control::Server& server) {
  if (server.operator_disabled()) {
    return "no (operator)";
  }
  return yesNo(server.enabled());
}

std::string birdState(const control::Peer& peer) {
  if (!peer.enabled()) {
    return "down";
  }
  return peer.state() == "Established" ? "up" : "start";
}

std::string counter(std::uint64_t value) {
  return fmt::format("{:>10}", value);
}

std::string statsColumns(const control::Counters& counters) {
  return counter(counters.connections()) + counter(counters.packets_in()) +
         counter(counters.packets_out()) + counter(counters.bytes_in()) +
         counter(counters.bytes_out()) + counter(counters.cps()) + counter(counters.pps_in()) +
         counter(counters.pps_out()) + counter(counters.bps_in()) + counter(counters.bps_out());
}

}  // namespace

std::string TextPrinter::banner(const control::Hello& hello) {
  return hello.daemon() + " " + hello.daemon_version() + " ready." +
         (hello.read_only() ? " (read-only socket)" : "");
}

std::string TextPrinter::time(double unix_time) {
  if (unix_time == 0) {
    return "never";
  }
  const auto seconds = static_cast<std::time_t>(unix_time);
  std::tm local{};
  ::localtime_r(&seconds, &local);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S", &local);
  return text;
}

std::string TextPrinter::duration(double seconds) {
  auto left = static_cast<std::uint64_t>(std::max(0.0, seconds));
  const auto days = left / 86400;
  left %= 86400;
  const auto text = fmt::format("{}h {}m {}s", left / 3600, left % 3600 / 60, left % 60);
  return days == 0 ? text : fmt::format("{}d {}", days, text);
}

std::string TextPrinter::render(const control::Request& request, const std::vector<Reply>& frames) {
  using R = control::Request;
  const auto& result = frames.back().result();
  if (result.code() != control::RESULT_OK) {
    return result.message() + "\n";
  }
  switch (request.command_case()) {
    case R::kShowStatus:
      return frames.size() > 1 ? status(frames.front().status()) : "";
    case R::kShowServices:
      return services(frames);
    case R::kShowServers:
      return servers(frames);
    case R::kShowMonitors:
      return monitors(frames);
    case R::kShowIpvs:
      return ipvs(frames);
    case R::kShowProtocols:
      return protocols(frames);
    case R::kShowRoute:
      return routes(frames);
    default:
      return result.message().empty() ? "" : result.message() + "\n";
  }
}

std::string TextPrinter::status(const control::Status& status) {
  std::string out;
  const auto line = [&out](const std::string& name, const std::string& value) {
    out += fmt::format("{:<22}{}\n", name + ":", value);
  };
  out += "vipd " + status.version() + "\n";
  line("Router ID", status.router_id().empty() ? "-" : status.router_id());
  line("Hostname", status.hostname());
  line("Current server time", time(status.now()));
  line("Last reboot",
       time(status.started()) + " (up " + duration(status.now() - status.started()) + ")");
  line("Last reconfiguration", time(status.config_loaded()));
  line("Configuration", status.config_file() + " (" + status.config_format() + ")");
  line("Mode", status.dry_run() ? "dry-run" : "live");
  line("IPVS backend", status.ipvs_backend());
  line("Services", std::to_string(status.services()));
  line("Servers", std::to_string(status.servers()));
  line("Peers", std::to_string(status.peers()));
  return out + "Daemon is up and running\n";
}

std::string TextPrinter::services(const std::vector<Reply>& frames) {
  Table table({"Name", "VIP", "Port", "Proto", "Sched", "Servers", "Up", "Pooled", "Threshold",
               "Announced", "Reason"});
  for (const auto& frame : frames) {
    if (!frame.has_service()) {
      continue;
    }
    const auto& s = frame.service();
    table.add({s.name(), vipText(s), portText(s.port()), s.protocol(), s.scheduler(),
               std::to_string(s.servers()), std::to_string(s.up()), std::to_string(s.pooled()),
               fmt::format("{:.2f}", s.depool_threshold()),
               s.has_bgp() ? yesNo(s.announced()) : "-", s.announce_reason()});
  }
  return table.render();
}

std::string TextPrinter::servers(const std::vector<Reply>& frames) {
  Table table({"Service", "Server", "Port", "Address", "Health", "Pooled", "Enabled", "Weight",
               "Monitors", "Last change"});
  for (const auto& frame : frames) {
    for (const auto& server : frame.service().server_list()) {
      table.add({frame.service().name(), server.host(), portText(server.port()),
                 server.address().empty() ? "-" : server.address(), server.health(),
                 yesNo(server.pooled()), enabledText(server), std::to_string(server.weight()),
                 monitorSummary(server), time(server.last_change())});
    }
  }
  return table.render();
}

std::string TextPrinter::monitors(const std::vector<Reply>& frames) {
  Table table({"Service", "Server", "Monitor", "Kind", "Verdict", "Latency", "Interval", "Timeout",
               "Checks", "Last change", "Last result"});
  for (const auto& frame : frames) {
    for (const auto& server : frame.service().server_list()) {
      for (const auto& m : server.monitors()) {
        table.add({frame.service().name(), server.host(), m.name(), m.kind(), m.verdict(),
                   latency(m.last_latency_seconds()), fmt::format("{}s", m.interval_seconds()),
                   fmt::format("{}s", m.timeout_seconds()), std::to_string(m.checks()),
                   time(m.last_change()), m.last_message()});
      }
    }
  }
  return table.render();
}

std::string TextPrinter::ipvs(const std::vector<Reply>& frames) {
  const auto& summary = frames.front().ipvs();
  std::string out = summary.version().empty()
                        ? fmt::format("IP Virtual Server ({} backend, size={})\n",
                                      summary.backend(), summary.connection_table_size())
                        : fmt::format("IP Virtual Server version {} (size={})\n", summary.version(),
                                      summary.connection_table_size());
  if (summary.stats()) {
    out += fmt::format("{:<33}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}\n",
                       "Prot LocalAddress:Port", "Conns", "InPkts", "OutPkts", "InBytes",
                       "OutBytes", "CPS", "InPPS", "OutPPS", "InBPS", "OutBPS");
    out += "  -> RemoteAddress:Port\n";
  } else {
    out += "Prot LocalAddress:Port Scheduler Flags\n";
    out += "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";
  }
  for (const auto& frame : frames) {
    if (!frame.has_ipvs_service()) {
      continue;
    }
    const auto& service = frame.ipvs_service();
    if (summary.stats()) {
      out += fmt::format("{:<33}", service.key()) + statsColumns(service.counters()) + "\n";
    } else {
      out += service.key() + " " + service.scheduler() +
             (service.flags().empty() ? "" : " " + service.flags()) + "\n";
    }
    for (const auto& d : service.destinations()) {
      if (summary.stats()) {
        out += fmt::format("  -> {:<29}", d.address()) + statsColumns(d.counters()) + "\n";
      } else {
        out += fmt::format("  -> {:<28} {:<7} {:<6} {:<10} {}\n", d.address(), d.forwarding(),
                           d.weight(), d.active_connections(), d.inactive_connections());
      }
    }
  }
  return out;
}

std::string TextPrinter::protocols(const std::vector<Reply>& frames) {
  std::string out;
  bool all = false;
  Table table({"Name", "Proto", "Table", "State", "Since", "Info"});
  for (const auto& frame : frames) {
    if (!frame.has_peer()) {
      continue;
    }
    const auto& peer = frame.peer();
    const auto info =
        peer.state() + (peer.last_error().empty() ? "" : " (" + peer.last_error() + ")");
    table.add({peer.name(), "BGP", "---", birdState(peer), time(peer.since()), info});
    all = all || peer.all();
  }
  if (!all) {
    return table.render();
  }
  // birdc's `show protocols all`: each protocol's line, then its block.
  for (const auto& frame : frames) {
    if (!frame.has_peer()) {
      continue;
    }
    Table one({"Name", "Proto", "Table", "State", "Since", "Info"});
    const auto& peer = frame.peer();
    one.add({peer.name(), "BGP", "---", birdState(peer), time(peer.since()), peer.state()});
    out += one.render() + peerDetails(peer) + "\n";
  }
  return out;
}

std::string TextPrinter::peerDetails(const control::Peer& peer) {
  std::string out;
  const auto line = [&out](const std::string& name, const std::string& value) {
    out += fmt::format("    {:<24}{}\n", name + ":", value);
  };
  out += "  BGP state:          " + peer.state() + "\n";
  line("Neighbor address", peer.address());
  line("Neighbor port", std::to_string(peer.port()));
  line("Neighbor AS", std::to_string(peer.peer_as()));
  line("Local AS", std::to_string(peer.local_as()));
  line("Neighbor ID", peer.peer_id().empty() ? "-" : peer.peer_id());
  line("Local capabilities", joined(peer.local_capabilities(), " "));
  line("Neighbor capabilities", joined(peer.peer_capabilities(), " "));
  line("Source address", peer.local_address().empty() ? "-" : peer.local_address());
  line("Hold timer", fmt::format("{:.3f}/{}", peer.hold_timer_remaining(), peer.hold_time()) +
                         fmt::format(" (configured {})", peer.configured_hold_time()));
  line("Keepalive timer",
       fmt::format("{:.3f}/{}", peer.keepalive_timer_remaining(), peer.keepalive_time()));
  line("Last error", peer.last_error().empty() ? "-" : peer.last_error());
  line("Messages",
       fmt::format("sent {}, received {}", peer.messages_sent(), peer.messages_received()));
  line("Updates",
       fmt::format("sent {}, received {}", peer.updates_sent(), peer.updates_received()));
  line("Notifications", fmt::format("sent {}, received {}", peer.notifications_sent(),
                                    peer.notifications_received()));
  line("Prefixes", fmt::format("announced {}, withdrawn {}, received {}", peer.prefixes_announced(),
                               peer.prefixes_withdrawn(), peer.prefixes_received()));
  line("Established", fmt::format("{} times", peer.established_transitions()));
  return out;
}

std::string TextPrinter::routes(const std::vector<Reply>& frames) {
  std::string out;
  for (const auto& frame : frames) {
    if (!frame.has_route()) {
      continue;
    }
    const auto& route = frame.route();
    out += fmt::format("{:<20} to {:<12} {:<10} {}  {}{}\n", route.prefix(), route.peer(),
                       route.state(), time(route.since()), route.reason(),
                       route.operator_hold() ? " [operator hold]" : "");
    std::string path;
    for (const auto as : route.as_path()) {
      path += (path.empty() ? "" : " ") + std::to_string(as);
    }
    out += "\tBGP.origin: IGP\n";
    out += "\tBGP.as_path: " + path + "\n";
    out += "\tBGP.next_hop: " + route.next_hop() + "\n";
    if (route.has_med()) {
      out += fmt::format("\tBGP.med: {}\n", route.med());
    }
    if (route.has_local_pref()) {
      out += fmt::format("\tBGP.local_pref: {}\n", route.local_pref());
    }
    if (route.communities_size() > 0) {
      out += "\tBGP.community: " + joined(route.communities(), " ") + "\n";
    }
    if (route.large_communities_size() > 0) {
      out += "\tBGP.large_community: " + joined(route.large_communities(), " ") + "\n";
    }
  }
  return out;
}

}  // namespace vipd::cli
