#include "vipd/daemon_control.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <array>
#include <climits>
#include <type_traits>
#include <variant>

#include "bgp/bgp_service.h"
#include "bgp/capabilities.h"
#include "ipvs/backend.h"
#include "ipvs/netlink_messages.h"
#include "ipvs/synchronizer.h"
#include "monitor/monitor.h"
#include "vipd/bgp_settings.h"
#include "vipd/configuration_file.h"
#include "vipd/service_runtime.h"
#include "vipd/version.h"

namespace vipd {

namespace {

using control::CommandResult;

std::string_view protocolName(config::Protocol protocol) {
  switch (protocol) {
    case config::Protocol::Udp:
      return "udp";
    case config::Protocol::Sctp:
      return "sctp";
    case config::Protocol::Tcp:
      break;
  }
  return "tcp";
}

std::string_view forwardingName(config::Forwarding forwarding) {
  switch (forwarding) {
    case config::Forwarding::Nat:
      return "nat";
    case config::Forwarding::Tunnel:
      return "tun";
    case config::Forwarding::DirectRouting:
      break;
  }
  return "dr";
}

std::string_view monitorKindName(config::MonitorKind kind) {
  switch (kind) {
    case config::MonitorKind::IdleConnection:
      return "idle-connection";
    case config::MonitorKind::Http:
      return "http";
    case config::MonitorKind::Dns:
      return "dns";
    case config::MonitorKind::Udp:
      return "udp";
    case config::MonitorKind::RunCommand:
      return "run-command";
    case config::MonitorKind::Icmp:
      return "icmp";
    case config::MonitorKind::Tcp:
      break;
  }
  return "tcp";
}

std::string hostName() {
  std::array<char, HOST_NAME_MAX + 1> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0) {
    return "localhost";
  }
  return name.data();
}

std::string dottedQuad(std::uint32_t id) {
  in_addr address{htonl(id)};
  std::array<char, INET_ADDRSTRLEN> text{};
  ::inet_ntop(AF_INET, &address, text.data(), text.size());
  return text.data();
}

std::string withPort(const IpAddress& address, std::uint16_t port) {
  const auto text = address.toString();
  if (address.family() == IpAddress::Family::V6) {
    return "[" + text + "]:" + std::to_string(port);
  }
  return text + ":" + std::to_string(port);
}

// ipvsadm -Ln's first column and address: "TCP  192.0.2.10:80", "FWM  7", "FWM  7 IPv6".
std::string ipvsadmKey(const ipvs::ServiceKey& key) {
  if (key.fwmark != 0) {
    return "FWM  " + std::to_string(key.fwmark) +
           (key.family == IpAddress::Family::V6 ? " IPv6" : "");
  }
  static constexpr std::array<const char*, 3> kNames = {"TCP", "UDP", "SCTP"};
  return std::string(kNames.at(static_cast<std::size_t>(key.protocol))) + "  " +
         withPort(key.address, key.port);
}

std::string ipvsadmForwarding(ipvs::Forwarding forwarding) {
  switch (forwarding) {
    case ipvs::Forwarding::Masquerade:
      return "Masq";
    case ipvs::Forwarding::Tunnel:
      return "Tunnel";
    case ipvs::Forwarding::DirectRoute:
      break;
  }
  return "Route";
}

// As ipvsadm -Ln shows a service's options after its scheduler.
std::string ipvsadmFlags(const ipvs::Service& service) {
  std::vector<std::string> parts;
  const bool hashing = service.scheduler == "sh" || service.scheduler == "mh";
  const std::array<std::pair<std::uint32_t, std::string>, 3> sched_flags = {{
      {ipvs::kFlagSched1, hashing ? service.scheduler + "-fallback" : "flag-1"},
      {ipvs::kFlagSched2, hashing ? service.scheduler + "-port" : "flag-2"},
      {ipvs::kFlagSched3, "flag-3"},
  }};
  std::string scheduler_flags;
  for (const auto& [bit, name] : sched_flags) {
    if (service.flags & bit) {
      scheduler_flags += (scheduler_flags.empty() ? "" : ",") + name;
    }
  }
  if (!scheduler_flags.empty()) {
    parts.push_back("(" + scheduler_flags + ")");
  }
  if (service.flags & ipvs::kFlagPersistent) {
    parts.push_back("persistent " + std::to_string(service.persistence_timeout));
    if (service.netmask != ipvs::fullNetmask(service.key.family)) {
      parts.push_back("mask " + (service.key.family == IpAddress::Family::V4
                                     ? dottedQuad(service.netmask)
                                     : std::to_string(service.netmask)));
    }
  }
  if (service.flags & ipvs::kFlagOnePacket) {
    parts.push_back("ops");
  }
  std::string out;
  for (const auto& part : parts) {
    out += (out.empty() ? "" : " ") + part;
  }
  return out;
}

template <typename View>
void copyCounters(View& view, const ipvs::Counters& counters) {
  view.connections = counters.connections;
  view.packets_in = counters.packets_in;
  view.packets_out = counters.packets_out;
  view.bytes_in = counters.bytes_in;
  view.bytes_out = counters.bytes_out;
  view.cps = counters.connection_rate;
  view.pps_in = counters.packet_rate_in;
  view.pps_out = counters.packet_rate_out;
  view.bps_in = counters.byte_rate_in;
  view.bps_out = counters.byte_rate_out;
}

control::MonitorView monitorView(const monitor::Monitor& monitor,
                                 const config::ServiceConfig& service) {
  control::MonitorView view;
  view.name = monitor.name();
  view.kind = monitorKindName(monitor.kind());
  view.verdict = monitor::verdictName(monitor.verdict());
  view.last_message = monitor.lastResult().message;
  view.last_latency_seconds = std::chrono::duration<double>(monitor.lastResult().latency).count();
  view.last_change = monitor.lastChange();
  for (const auto& configured : service.monitors) {
    if (configured.name == monitor.name()) {
      view.interval_seconds = configured.interval.count();
      view.timeout_seconds = configured.timeout.count();
    }
  }
  const auto& counters = monitor.counters();
  view.checks = counters.checks;
  view.up_results = counters.up_results;
  view.down_results = counters.down_results;
  view.timeouts = counters.timeouts;
  view.up_transitions = counters.up_transitions;
  view.down_transitions = counters.down_transitions;
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < monitor::kDurationBounds.size(); ++i) {
    cumulative += counters.durations.counts.at(i);
    view.duration_buckets.emplace_back(monitor::kDurationBounds.at(i), cumulative);
  }
  view.duration_sum_seconds = counters.durations.sum_seconds;
  return view;
}

control::ServerView serverView(const ServiceRuntime& service, const pool::ServerId& id,
                               const pool::ServerState& state) {
  control::ServerView view;
  view.host = id.host;
  view.port = id.port;
  view.weight = state.spec.weight;
  view.enabled = state.spec.enabled;
  view.health = pool::healthName(state.health);
  view.pooled = state.pooled;
  if (const auto detail = service.serverDetail(id)) {
    view.address = detail->address ? detail->address->toString() : "";
    view.operator_disabled = detail->operator_disabled;
    view.last_change = detail->last_change;
    for (const auto* monitor : detail->monitors) {
      view.monitors.push_back(monitorView(*monitor, service.config()));
    }
  }
  return view;
}

// The peers as configured, with the sessions' state where there is one.
std::string capabilityText(const bgp::Capability& capability) {
  return std::visit(
      [](const auto& value) -> std::string {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, bgp::MultiprotocolCapability>) {
          const bool v6 = value.family.afi == static_cast<std::uint16_t>(bgp::Afi::Ipv6);
          return std::string(v6 ? "ipv6" : "ipv4") +
                 (value.family.safi == 1 ? "-unicast"
                                         : "-safi-" + std::to_string(value.family.safi));
        } else if constexpr (std::is_same_v<T, bgp::UnknownCapability>) {
          return bgp::capabilityName(value.code);
        } else {
          return bgp::capabilityName(T::kCode);
        }
      },
      capability);
}

control::PeerView peerView(const bgp::PeerSettings& settings, std::uint32_t local_as,
                           const bgp::SessionStatus* session) {
  control::PeerView view;
  view.name = settings.name.empty() ? settings.address.toString() : settings.name;
  view.address = settings.address.toString();
  view.port = settings.port;
  view.peer_as = settings.peer_as.value_or(0);
  view.local_as = local_as;
  view.configured_hold_time = static_cast<std::uint32_t>(settings.hold_time.count());
  if (session == nullptr) {
    view.state = "Idle";
    return view;
  }
  static constexpr std::array<const char*, 6> kStates = {"Idle",     "Connect",     "Active",
                                                         "OpenSent", "OpenConfirm", "Established"};
  view.state = kStates.at(static_cast<std::size_t>(session->state));
  view.since = session->since;
  view.enabled = session->enabled;
  if (session->last_error) {
    view.last_error = session->last_error->toString();
  }
  if (session->local_address) {
    view.local_address = session->local_address->toString();
  }
  if (const auto& negotiated = session->negotiated) {
    view.peer_as = negotiated->peer_as;
    view.peer_id = dottedQuad(negotiated->peer_id);
    view.hold_time = static_cast<std::uint32_t>(negotiated->hold_time.count());
    view.keepalive_time = static_cast<std::uint32_t>(negotiated->keepalive_time.count());
    for (const auto& capability : negotiated->local_capabilities) {
      view.local_capabilities.push_back(capabilityText(capability));
    }
    for (const auto& capability : negotiated->peer_capabilities) {
      view.peer_capabilities.push_back(capabilityText(capability));
    }
  }
  const auto& counters = session->counters;
  view.messages_sent = counters.messages_sent;
  view.messages_received = counters.messages_received;
  view.updates_sent = counters.updates_sent;
  view.updates_received = counters.updates_received;
  view.notifications_sent = counters.notifications_sent;
  view.notifications_received = counters.notifications_received;
  view.prefixes_announced = counters.prefixes_announced;
  view.prefixes_withdrawn = counters.prefixes_withdrawn;
  view.prefixes_received = counters.prefixes_received;
  view.established_transitions = counters.established_count;
  return view;
}

// The server a `disable server` names: HOST alone matches whichever port it has, if one.
std::expected<pool::ServerId, std::string> findServer(const ServiceRuntime& service,
                                                      const std::string& host,
                                                      std::optional<std::uint16_t> port) {
  std::vector<pool::ServerId> matches;
  for (const auto& [id, state] : service.pool().servers()) {
    if (id.host == host && (!port || id.port == *port)) {
      matches.push_back(id);
    }
  }
  if (matches.empty()) {
    return std::unexpected("service " + service.config().name + " has no server " + host +
                           (port ? ":" + std::to_string(*port) : ""));
  }
  if (matches.size() > 1) {
    return std::unexpected("service " + service.config().name + " has " + host +
                           " on several ports: give HOST:PORT");
  }
  return matches.front();
}

}  // namespace

DaemonControl::DaemonControl(Parts parts, Hooks hooks, control::WallTime started)
    : parts_(parts), hooks_(std::move(hooks)), started_(started) {}

control::StatusView DaemonControl::status() const {
  control::StatusView view;
  view.version = kVersion;
  view.hostname = hostName();
  view.started = started_;
  view.config_file = parts_.config.source_file;
  view.config_format = formatName(parts_.options.format);
  view.config_loaded = parts_.config_loaded;
  view.dry_run = parts_.options.dry_run;
  view.ipvs_backend = std::string(parts_.backend->name());
  if (parts_.bgp) {
    view.router_id = dottedQuad(parts_.bgp->routerId());
    view.peers = parts_.config.global.bgp.peers.size();
  }
  view.services = parts_.services.size();
  for (const auto& service : parts_.services) {
    view.servers += service->pool().total();
  }
  return view;
}

std::vector<control::ServiceView> DaemonControl::services() const {
  const auto all_routes = routes();
  std::vector<control::ServiceView> views;
  views.reserve(parts_.services.size());
  for (const auto& service : parts_.services) {
    views.push_back(serviceView(*service, all_routes));
  }
  return views;
}

control::ServiceView DaemonControl::serviceView(
    const ServiceRuntime& service, const std::vector<control::RouteView>& routes) const {
  const auto& config = service.config();
  const auto& pool = service.pool();
  control::ServiceView view;
  view.name = config.name;
  view.protocol = protocolName(config.protocol);
  view.address = config.vip ? config.vip->toString() : "";
  view.port = config.port;
  view.fwmark = config.fwmark.value_or(0);
  view.scheduler = config.scheduler;
  view.forwarding = forwardingName(config.forwarding);
  view.depool_threshold = pool.depoolThreshold();
  view.depool_action = config.depool_action == config::DepoolAction::Drain ? "drain" : "remove";
  view.servers = pool.total();
  view.enabled = pool.enabledCount();
  view.up = pool.upAndEnabled();
  view.pooled = pool.pooledCount();
  view.pooled_but_down = pool.pooledButDownCount();
  view.can_depool = pool.canDepool();
  view.could_not_depool = pool.counters().could_not_depool;
  view.programmed = parts_.synchronizer->programmed(service.ipvsKey());

  if (parts_.bgp) {
    const auto vip = parts_.vip_of_service.find(config.name);
    view.announced = false;
    view.announce_reason = vip == parts_.vip_of_service.end() ? "not announced (bgp off for it)"
                                                              : "no peer is told about it";
    for (const auto& route : routes) {
      if (vip == parts_.vip_of_service.end() || !route.prefix.starts_with(vip->second)) {
        continue;
      }
      if (!*view.announced || route.announced) {
        view.announce_reason = route.reason.empty() ? route.state : route.reason;
      }
      view.announced = *view.announced || route.announced;
    }
  }

  for (const auto& [id, state] : pool.servers()) {
    view.server_list.push_back(serverView(service, id, state));
  }
  return view;
}

control::IpvsView DaemonControl::ipvs(bool with_stats) const {
  control::IpvsView view;
  view.backend = std::string(parts_.backend->name());
  if (parts_.kernel_info) {
    view.version = parts_.kernel_info->versionString();
    view.connection_table_size = parts_.kernel_info->connection_table_size;
  }
  const auto& counters = parts_.synchronizer->counters();
  view.operations_applied = counters.operations_applied;
  view.operations_failed = counters.operations_failed;
  view.repairs = counters.repairs;

  std::map<ipvs::ServiceKey, const ipvs::ServiceStatistics*> statistics;
  if (with_stats && parts_.kernel_statistics) {
    for (const auto& [key, entry] : parts_.kernel_statistics->services) {
      statistics.emplace(ipvs::canonical(key), &entry);
    }
  }
  for (const auto& [key, entry] : parts_.synchronizer->current().services) {
    control::IpvsServiceView service;
    service.key = ipvsadmKey(key);
    service.scheduler = entry.service.scheduler;
    service.flags = ipvsadmFlags(entry.service);
    service.owned = parts_.owned.contains(ipvs::canonical(key)) ||
                    parts_.synchronizer->desired().services.contains(key);
    const auto found = statistics.find(ipvs::canonical(key));
    const ipvs::ServiceStatistics* stats = found == statistics.end() ? nullptr : found->second;
    if (stats != nullptr) {
      copyCounters(service, stats->counters);
    }
    for (const auto& [destination_key, destination] : entry.destinations) {
      control::IpvsDestinationView out;
      out.address = withPort(destination_key.address, destination_key.port);
      out.forwarding = ipvsadmForwarding(destination.forwarding);
      out.weight = destination.weight;
      if (stats != nullptr) {
        if (const auto d = stats->destinations.find(destination_key);
            d != stats->destinations.end()) {
          copyCounters(out, d->second.counters);
          out.active_connections = d->second.active_connections;
          out.inactive_connections = d->second.inactive_connections;
        }
      }
      service.destinations.push_back(std::move(out));
    }
    view.services.push_back(std::move(service));
  }
  return view;
}

std::vector<control::PeerView> DaemonControl::peers() const {
  if (!parts_.bgp) {
    return {};
  }
  const auto settings = speakerSettings(parts_.config);
  const auto sessions = parts_.bgp->sessions();
  std::vector<control::PeerView> views;
  for (const auto& peer : settings.peers) {
    const auto name = peer.name.empty() ? peer.address.toString() : peer.name;
    const bgp::SessionStatus* session = nullptr;
    for (const auto& status : sessions) {
      if (status.name == name) {
        session = &status;
      }
    }
    views.push_back(peerView(peer, settings.local_as, session));
  }
  return views;
}

std::vector<control::RouteView> DaemonControl::routes() const {
  if (!parts_.bgp) {
    return {};
  }
  std::vector<control::RouteView> views;
  for (const auto& route : parts_.bgp->routes()) {
    control::RouteView view;
    view.prefix = route.prefix;
    view.peer = route.peer;
    view.announced = route.announced;
    view.state = route.state;
    view.reason = route.reason;
    view.since = route.since;
    view.next_hop = route.next_hop ? route.next_hop->toString() : "";
    view.as_path = route.as_path;
    view.med = route.med;
    view.local_pref = route.local_pref;
    for (const auto& community : route.communities) {
      view.communities.push_back(community.toString());
    }
    for (const auto& community : route.large_communities) {
      view.large_communities.push_back(community.toString());
    }
    view.operator_hold = route.operator_hold;
    views.push_back(std::move(view));
  }
  return views;
}

std::map<std::string, double> DaemonControl::processFigures() const {
  const auto& counters = parts_.synchronizer->counters();
  std::map<std::string, double> figures = {
      {"ipvs_dumps_total", double(counters.dumps)},
      {"ipvs_dump_failures_total", double(counters.dump_failures)},
      {"ipvs_batches_total", double(counters.batches)},
      {"ipvs_gave_up_total", double(counters.gave_up)},
      {"config_reloads_total{outcome=\"applied\"}", double(reloads_)},
      {"config_reloads_total{outcome=\"refused\"}", double(reload_failures_)},
      {"operator_disabled_servers", double(parts_.overrides.disabled_servers.size())},
      {"operator_held_vips", double(parts_.overrides.held_vips.size())},
  };
  for (const auto& service : parts_.services) {
    for (const auto& [reason, count] : service->pool().counters().decisions) {
      figures["pool_decisions_total{service=\"" + service->config().name + "\",reason=\"" +
              std::string(pool::reasonName(reason)) + "\"}"] = double(count);
    }
  }
  if (parts_.bgp) {
    figures["bgp_announcements_total"] = double(parts_.bgp->counters().announced);
    figures["bgp_withdrawals_total"] = double(parts_.bgp->counters().withdrawn);
  }
  return figures;
}

std::string DaemonControl::fileOrCurrent(const std::string& file) const {
  return file.empty() ? parts_.config.source_file : file;
}

CommandResult DaemonControl::checkConfiguration(const std::string& file) {
  const auto path = fileOrCurrent(file);
  const auto checked = vipd::checkConfiguration(parts_.options.format, path);
  if (!checked) {
    auto errors = formatDiagnostics(checked.error());
    errors.pop_back();  // the last newline
    return std::unexpected(errors);
  }
  return path + " is a valid " + std::string(formatName(parts_.options.format)) +
         " configuration (" + std::to_string(checked->config.services.size()) + " services)";
}

CommandResult DaemonControl::reloadConfiguration(const std::string& file, const control::Caller&) {
  return hooks_.reload(fileOrCurrent(file));
}

void DaemonControl::countReload(bool succeeded) {
  ++(succeeded ? reloads_ : reload_failures_);
}

CommandResult DaemonControl::setServerEnabled(const std::string& service_name,
                                              const std::string& host,
                                              std::optional<std::uint16_t> port, bool enabled,
                                              const control::Caller&) {
  ServiceRuntime* service = nullptr;
  for (const auto& candidate : parts_.services) {
    if (candidate->config().name == service_name) {
      service = candidate.get();
    }
  }
  if (service == nullptr) {
    return std::unexpected("no service named " + service_name);
  }
  const auto id = findServer(*service, host, port);
  if (!id) {
    return std::unexpected(id.error());
  }

  const DisabledServer key{service_name, id->host, id->port};
  const bool was_disabled = parts_.overrides.disabled_servers.contains(key);
  if (was_disabled == !enabled) {
    return "server " + id->toString() + " of " + service_name + " was already " +
           (enabled ? "enabled" : "disabled") + " by the operator";
  }
  if (enabled) {
    parts_.overrides.disabled_servers.erase(key);
  } else {
    parts_.overrides.disabled_servers.insert(key);
  }
  service->setOperatorDisabled(*id, !enabled);
  hooks_.overrides_changed();

  const auto& state = service->pool().servers().at(*id);
  return "server " + id->toString() + " of " + service_name + " " +
         (enabled ? "enabled" : "disabled") + " by the operator; now " +
         (state.pooled ? "pooled" : "depooled");
}

CommandResult DaemonControl::setPeerEnabled(const std::string& peer, bool enabled,
                                            const control::Caller&) {
  if (!parts_.bgp) {
    return std::unexpected("bgp is not enabled");
  }
  return parts_.bgp->setPeerEnabled(peer, enabled);
}

CommandResult DaemonControl::restartPeer(const std::string& peer, const control::Caller&) {
  if (!parts_.bgp) {
    return std::unexpected("bgp is not enabled");
  }
  return parts_.bgp->restartPeer(peer);
}

CommandResult DaemonControl::holdVip(const std::string& vip, bool withdrawn,
                                     const control::Caller&) {
  if (!parts_.bgp) {
    return std::unexpected("bgp is not enabled");
  }
  auto outcome = parts_.bgp->holdVip(vip, withdrawn);
  if (!outcome) {
    return outcome;
  }
  const bool changed = withdrawn ? parts_.overrides.held_vips.insert(vip).second
                                 : parts_.overrides.held_vips.erase(vip) > 0;
  if (changed) {
    hooks_.overrides_changed();
  }
  return outcome;
}

CommandResult DaemonControl::drain(bool drain, const control::Caller&) {
  if (!parts_.bgp) {
    return std::unexpected("bgp is not enabled: nothing to drain");
  }
  if (drain) {
    parts_.bgp->drain();
    return "draining: GRACEFUL_SHUTDOWN sent, routes withdrawn after the drain time";
  }
  parts_.bgp->undrain();
  return "undrained: routes announced again as health allows";
}

CommandResult DaemonControl::shutdown(const control::Caller&) {
  hooks_.shutdown();
  return "vipd is stopping";
}

}  // namespace vipd
