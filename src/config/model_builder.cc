#include "config/model_builder.h"

#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_checks.h"

namespace vipd::config {

namespace {

std::string_view nameOf(const lyd_node* node) {
  return node->schema->name;
}

const lyd_node* child(const lyd_node* parent, std::string_view name) {
  for (const lyd_node* node = lyd_child(parent); node != nullptr; node = node->next) {
    if (nameOf(node) == name) {
      return node;
    }
  }
  return nullptr;
}

std::vector<const lyd_node*> children(const lyd_node* parent, std::string_view name) {
  std::vector<const lyd_node*> found;
  for (const lyd_node* node = lyd_child(parent); node != nullptr; node = node->next) {
    if (nameOf(node) == name) {
      found.push_back(node);
    }
  }
  return found;
}

std::optional<std::string_view> leaf(const lyd_node* parent, std::string_view name) {
  const lyd_node* node = parent == nullptr ? nullptr : child(parent, name);
  if (node == nullptr) {
    return std::nullopt;
  }
  return std::string_view(lyd_get_value(node));
}

std::vector<std::string> leafList(const lyd_node* parent, std::string_view name) {
  std::vector<std::string> values;
  if (parent != nullptr) {
    for (const lyd_node* node : children(parent, name)) {
      values.emplace_back(lyd_get_value(node));
    }
  }
  return values;
}

template <typename Number>
std::optional<Number> toNumber(std::string_view text) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// Readers for leaves that the schema guarantees to be present (they have defaults) or that
// are optional; a value that does not convert keeps the model's own default.
std::string text(const lyd_node* parent, std::string_view name, std::string fallback = {}) {
  const auto value = leaf(parent, name);
  return value ? std::string(*value) : fallback;
}

bool flag(const lyd_node* parent, std::string_view name, bool fallback) {
  const auto value = leaf(parent, name);
  return value ? *value == "true" : fallback;
}

template <typename Number>
Number number(const lyd_node* parent, std::string_view name, Number fallback) {
  const auto value = leaf(parent, name);
  return value ? toNumber<Number>(*value).value_or(fallback) : fallback;
}

template <typename Number>
std::optional<Number> optionalNumber(const lyd_node* parent, std::string_view name) {
  const auto value = leaf(parent, name);
  return value ? toNumber<Number>(*value) : std::nullopt;
}

Seconds seconds(const lyd_node* parent, std::string_view name, Seconds fallback) {
  return Seconds{number<double>(parent, name, fallback.count())};
}

std::optional<IpAddress> address(const lyd_node* parent, std::string_view name) {
  const auto value = leaf(parent, name);
  return value ? IpAddress::parse(*value) : std::nullopt;
}

std::vector<IpAddress> addresses(const lyd_node* parent, std::string_view name) {
  std::vector<IpAddress> result;
  for (const std::string& value : leafList(parent, name)) {
    if (const auto parsed = IpAddress::parse(value)) {
      result.push_back(*parsed);
    }
  }
  return result;
}

// --- BGP ---------------------------------------------------------------------------------

void problem(Diagnostics& problems, const std::string& path, std::string message) {
  problems.push_back({Diagnostic::Severity::Error, "", std::nullopt, path, std::move(message)});
}

// The path of one leaf-list value, as libyang writes it.
std::string valuePath(const std::string& parent, std::string_view name, const std::string& value) {
  return parent + "/" + std::string(name) + "[.='" + value + "']";
}

std::vector<std::string> splitOn(std::string_view text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(separator, start), text.size());
    parts.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

std::vector<std::uint32_t> asPath(const lyd_node* attributes, const std::string& path,
                                  Diagnostics& problems) {
  std::vector<std::uint32_t> result;
  const auto value = leaf(attributes, "as-path");
  if (!value) {
    return result;
  }
  for (const std::string& element : splitOn(*value, ' ')) {
    const auto asn = toNumber<std::uint32_t>(element);
    if (!asn || *asn == 0) {
      problem(problems, path + "/as-path",
              "as-path element \"" + element + "\" is not an AS number (expected 1..4294967295)");
    } else {
      result.push_back(*asn);
    }
  }
  return result;
}

// RFC 1997's well-known communities by the names the schema allows.
std::optional<std::uint32_t> wellKnownCommunity(std::string_view name) {
  static constexpr std::pair<std::string_view, std::uint32_t> kNames[] = {
      {"no-export", 0xFFFFFF01}, {"no-advertise", 0xFFFFFF02}, {"no-export-subconfed", 0xFFFFFF03},
      {"no-peer", 0xFFFFFF04},   {"blackhole", 0xFFFF029A},
  };
  for (const auto& [known, value] : kNames) {
    if (known == name) {
      return value;
    }
  }
  return std::nullopt;
}

std::vector<std::uint32_t> communities(const lyd_node* attributes, const std::string& path,
                                       Diagnostics& problems) {
  std::vector<std::uint32_t> result;
  for (const std::string& value : leafList(attributes, "community")) {
    if (const auto known = wellKnownCommunity(value)) {
      result.push_back(*known);
      continue;
    }
    const std::vector<std::string> parts = splitOn(value, ':');
    const auto asn = toNumber<std::uint16_t>(parts.at(0));
    const auto local = parts.size() == 2 ? toNumber<std::uint16_t>(parts[1]) : std::nullopt;
    if (!asn || !local) {
      problem(problems, valuePath(path, "community", value),
              "community \"" + value + "\" is not asn:value with each part in 0..65535");
      continue;
    }
    result.push_back((std::uint32_t{*asn} << 16) | *local);
  }
  return result;
}

std::vector<LargeCommunityValue> largeCommunities(const lyd_node* attributes,
                                                  const std::string& path, Diagnostics& problems) {
  std::vector<LargeCommunityValue> result;
  for (const std::string& value : leafList(attributes, "large-community")) {
    const std::vector<std::string> parts = splitOn(value, ':');
    std::optional<std::uint32_t> numbers[3];
    for (std::size_t i = 0; i < 3 && i < parts.size(); ++i) {
      numbers[i] = toNumber<std::uint32_t>(parts[i]);
    }
    if (parts.size() != 3 || !numbers[0] || !numbers[1] || !numbers[2]) {
      problem(problems, valuePath(path, "large-community", value),
              "large community \"" + value + "\" is not a:b:c with each part in 0..4294967295");
      continue;
    }
    result.push_back({*numbers[0], *numbers[1], *numbers[2]});
  }
  return result;
}

// `parent` holds the attributes container; `path` is the parent's data path.
BgpAttributes buildAttributes(const lyd_node* parent, const std::string& path,
                              Diagnostics& problems) {
  BgpAttributes result;
  const lyd_node* node = parent == nullptr ? nullptr : child(parent, "attributes");
  if (node == nullptr) {
    return result;
  }
  const std::string at = path + "/attributes";
  result.med = optionalNumber<std::uint32_t>(node, "med");
  result.as_path = asPath(node, at, problems);
  result.as_path_prepend = number<std::uint8_t>(node, "as-path-prepend", 0);
  result.communities = communities(node, at, problems);
  result.large_communities = largeCommunities(node, at, problems);
  result.local_pref = optionalNumber<std::uint32_t>(node, "local-pref");
  result.next_hop_ipv4 = address(node, "next-hop-ipv4");
  result.next_hop_ipv6 = address(node, "next-hop-ipv6");
  return result;
}

WholeSeconds wholeSeconds(const lyd_node* parent, std::string_view name, WholeSeconds fallback) {
  return WholeSeconds{number<std::int64_t>(parent, name, fallback.count())};
}

BgpPeer buildPeer(const lyd_node* node, Diagnostics& problems) {
  BgpPeer peer;
  peer.name = text(node, "name");
  peer.address = address(node, "address").value_or(IpAddress{});
  peer.port = number(node, "port", peer.port);
  peer.peer_as = optionalNumber<std::uint32_t>(node, "peer-as");
  peer.passive = flag(node, "passive", peer.passive);
  peer.local_address = address(node, "local-address");
  peer.local_port = number(node, "local-port", peer.local_port);
  peer.hold_time = wholeSeconds(node, "hold-time", peer.hold_time);
  peer.connect_retry_time = wholeSeconds(node, "connect-retry-time", peer.connect_retry_time);
  peer.idle_hold_time = wholeSeconds(node, "idle-hold-time", peer.idle_hold_time);
  peer.max_idle_hold_time = wholeSeconds(node, "max-idle-hold-time", peer.max_idle_hold_time);
  peer.stable_time = wholeSeconds(node, "stable-time", peer.stable_time);
  peer.md5_password = text(node, "md5-password");
  peer.ttl_security_hops = number(node, "ttl-security-hops", peer.ttl_security_hops);
  peer.ttl = optionalNumber<std::uint8_t>(node, "ttl");
  peer.ipv4_unicast = flag(node, "ipv4-unicast", peer.ipv4_unicast);
  peer.ipv6_unicast = flag(node, "ipv6-unicast", peer.ipv6_unicast);
  peer.route_refresh = flag(node, "route-refresh", peer.route_refresh);
  peer.extended_messages = flag(node, "extended-messages", peer.extended_messages);
  peer.attributes = buildAttributes(node, bgpPeerPath(peer.name), problems);
  return peer;
}

BgpGlobal buildBgp(const lyd_node* bgp, Diagnostics& problems) {
  BgpGlobal result;
  if (bgp == nullptr) {
    return result;
  }
  result.enabled = flag(bgp, "enabled", result.enabled);
  result.local_as = optionalNumber<std::uint32_t>(bgp, "local-as");
  result.router_id = address(bgp, "router-id");
  const lyd_node* listen = child(bgp, "listen");
  result.listen_addresses = addresses(listen, "address");
  result.listen_port = number(listen, "port", result.listen_port);
  result.hold_down = wholeSeconds(bgp, "hold-down", result.hold_down);
  result.withdraw_delay = wholeSeconds(bgp, "withdraw-delay", result.withdraw_delay);
  result.drain_time = wholeSeconds(bgp, "drain-time", result.drain_time);
  result.drain_on_stop = flag(bgp, "drain-on-stop", result.drain_on_stop);
  result.shutdown_message = text(bgp, "shutdown-message", result.shutdown_message);

  const lyd_node* restart = child(bgp, "graceful-restart");
  BgpGracefulRestart& gr = result.graceful_restart;
  gr.enabled = flag(restart, "enabled", gr.enabled);
  gr.restart_time = wholeSeconds(restart, "restart-time", gr.restart_time);
  gr.forwarding_preserved = flag(restart, "forwarding-preserved", gr.forwarding_preserved);

  result.attributes = buildAttributes(bgp, std::string(kBgpPath), problems);
  for (const lyd_node* peer : children(bgp, "peer")) {
    result.peers.push_back(buildPeer(peer, problems));
  }
  return result;
}

std::optional<IpPrefix> parsePrefix(std::string_view text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    return std::nullopt;
  }
  const auto address = IpAddress::parse(text.substr(0, slash));
  // Read as a wider number: GCC 12 at -O3 takes an optional<uint8_t> for uninitialised.
  const auto length = toNumber<unsigned>(text.substr(slash + 1));
  if (!address || !length || *length > (address->isV4() ? 32U : 128U)) {
    return std::nullopt;
  }
  return IpPrefix{*address, static_cast<std::uint8_t>(*length)};
}

ServiceAnnounce buildAnnounce(const lyd_node* service, const std::string& name,
                              Diagnostics& problems) {
  ServiceAnnounce result;
  const lyd_node* bgp = child(service, "bgp");
  if (bgp == nullptr) {
    return result;
  }
  result.announce = flag(bgp, "announce", result.announce);
  const std::string min_healthy = text(bgp, "min-healthy", "1");
  result.min_healthy.percent = min_healthy.ends_with('%');
  result.min_healthy.value =
      toNumber<std::uint32_t>(
          std::string_view(min_healthy)
              .substr(0, min_healthy.size() - (result.min_healthy.percent ? 1 : 0)))
          .value_or(1);
  result.health_rule =
      text(bgp, "health-rule") == "any-service" ? HealthRule::AnyService : HealthRule::EveryService;
  for (const std::string& value : leafList(bgp, "prefix")) {
    if (const auto prefix = parsePrefix(value)) {
      result.prefixes.push_back(*prefix);
    } else {
      problem(problems, valuePath(servicePath(name, "bgp"), "prefix", value),
              "\"" + value + "\" is not an address and a prefix length");
    }
  }
  result.peers = leafList(bgp, "peer");
  result.attributes = buildAttributes(bgp, servicePath(name, "bgp"), problems);
  return result;
}

// --- Global ------------------------------------------------------------------------------

IpvsGlobal buildIpvs(const lyd_node* ipvs) {
  IpvsGlobal result;
  const auto fallback = static_cast<std::uint32_t>(result.redump_interval.count());
  result.redump_interval = WholeSeconds{number(ipvs, "redump-interval", fallback)};

  const lyd_node* timeouts = ipvs == nullptr ? nullptr : child(ipvs, "timeouts");
  result.timeouts.tcp = optionalNumber<std::uint32_t>(timeouts, "tcp");
  result.timeouts.tcp_fin = optionalNumber<std::uint32_t>(timeouts, "tcp-fin");
  result.timeouts.udp = optionalNumber<std::uint32_t>(timeouts, "udp");
  return result;
}

Global buildGlobal(const lyd_node* global, Diagnostics& problems) {
  Global result;
  if (global == nullptr) {
    result.instrumentation.addresses = {*IpAddress::parse("127.0.0.1"), *IpAddress::parse("::1")};
    return result;
  }
  result.control_socket = text(global, "control-socket", result.control_socket);
  result.control_socket_group = text(global, "control-socket-group");
  result.control_socket_read_only = text(global, "control-socket-read-only");
  result.state_file = text(global, "state-file", result.state_file);
  result.log_level = text(global, "log-level", result.log_level);
  result.ipvs = buildIpvs(child(global, "ipvs"));

  const lyd_node* instrumentation = child(global, "instrumentation");
  result.instrumentation.enabled = flag(instrumentation, "enabled", false);
  result.instrumentation.addresses = addresses(instrumentation, "listen");
  result.instrumentation.port = number(instrumentation, "port", result.instrumentation.port);

  result.bgp = buildBgp(child(global, "bgp"), problems);
  return result;
}

// --- Monitors ----------------------------------------------------------------------------

MonitorKind kindOf(std::string_view name) {
  static constexpr std::pair<std::string_view, MonitorKind> kKinds[] = {
      {"idle-connection", MonitorKind::IdleConnection},
      {"tcp", MonitorKind::Tcp},
      {"http", MonitorKind::Http},
      {"dns", MonitorKind::Dns},
      {"udp", MonitorKind::Udp},
      {"run-command", MonitorKind::RunCommand},
      {"icmp", MonitorKind::Icmp}};
  for (const auto& [kind_name, kind] : kKinds) {
    if (kind_name == name) {
      return kind;
    }
  }
  return MonitorKind::Tcp;
}

IdleConnectionParams idleConnectionParams(const lyd_node* node) {
  IdleConnectionParams p;
  p.timeout_clean_reconnect = seconds(node, "timeout-clean-reconnect", p.timeout_clean_reconnect);
  p.max_delay = seconds(node, "max-delay", p.max_delay);
  p.keepalive = flag(node, "keepalive", p.keepalive);
  p.keepalive_idle = seconds(node, "keepalive-idle", p.keepalive_idle);
  p.keepalive_interval = seconds(node, "keepalive-interval", p.keepalive_interval);
  p.keepalive_retries = number(node, "keepalive-retries", p.keepalive_retries);
  return p;
}

TcpParams tcpParams(const lyd_node* node) {
  TcpParams p;
  if (const auto send = leaf(node, "send")) {
    p.send = std::string(*send);
  }
  if (const auto expect = leaf(node, "expect")) {
    p.expect = std::string(*expect);
  }
  return p;
}

HttpParams httpParams(const lyd_node* node) {
  HttpParams p;
  p.urls = leafList(node, "url");
  p.http_status = number(node, "http-status", p.http_status);
  p.check_all = flag(node, "check-all", p.check_all);
  p.max_failures = number(node, "max-failures", p.max_failures);
  if (const auto body = leaf(node, "body-match")) {
    p.body_match = std::string(*body);
  }
  p.tls_verify = flag(node, "tls-verify", p.tls_verify);
  return p;
}

DnsParams dnsParams(const lyd_node* node) {
  DnsParams p;
  p.hostnames = leafList(node, "hostnames");
  const std::string type = text(node, "record-type", "random");
  p.record_type = type == "a"      ? DnsRecordType::A
                  : type == "aaaa" ? DnsRecordType::Aaaa
                                   : DnsRecordType::Random;
  p.fail_on_nxdomain = flag(node, "fail-on-nxdomain", p.fail_on_nxdomain);
  p.expect_answer = flag(node, "expect-answer", p.expect_answer);
  p.port = optionalNumber<std::uint16_t>(node, "port");
  return p;
}

UdpParams udpParams(const lyd_node* node) {
  UdpParams p;
  p.payload = text(node, "payload");
  p.expect_reply = flag(node, "expect-reply", p.expect_reply);
  p.icmp_timeout = seconds(node, "icmp-timeout", p.icmp_timeout);
  return p;
}

RunCommandParams runCommandParams(const lyd_node* node) {
  RunCommandParams p;
  p.command = text(node, "command");
  p.arguments = leafList(node, "arguments");
  p.log_output = flag(node, "log-output", p.log_output);
  return p;
}

IcmpParams icmpParams(const lyd_node* node) {
  IcmpParams p;
  p.payload_size = number(node, "payload-size", p.payload_size);
  return p;
}

MonitorParams monitorParams(MonitorKind kind, const lyd_node* monitor) {
  switch (kind) {
    case MonitorKind::IdleConnection:
      return idleConnectionParams(child(monitor, "idle-connection"));
    case MonitorKind::Tcp:
      return tcpParams(child(monitor, "tcp"));
    case MonitorKind::Http:
      return httpParams(child(monitor, "http"));
    case MonitorKind::Dns:
      return dnsParams(child(monitor, "dns"));
    case MonitorKind::Udp:
      return udpParams(child(monitor, "udp"));
    case MonitorKind::RunCommand:
      return runCommandParams(child(monitor, "run-command"));
    case MonitorKind::Icmp:
      return icmpParams(child(monitor, "icmp"));
  }
  return TcpParams{};
}

MonitorConfig buildMonitor(const lyd_node* node) {
  MonitorConfig monitor;
  monitor.name = text(node, "name");
  monitor.kind = kindOf(text(node, "kind"));
  monitor.interval = seconds(node, "interval", monitor.interval);
  monitor.timeout = seconds(node, "timeout", monitor.timeout);
  monitor.jitter = number(node, "jitter", monitor.jitter);
  monitor.rise = number(node, "rise", monitor.rise);
  monitor.fall = number(node, "fall", monitor.fall);
  monitor.params = monitorParams(monitor.kind, node);
  return monitor;
}

// --- Services ----------------------------------------------------------------------------

ServerConfig buildServer(const lyd_node* node) {
  ServerConfig server;
  server.host = text(node, "host");
  server.port = optionalNumber<std::uint16_t>(node, "port");
  server.weight = number(node, "weight", server.weight);
  server.enabled = flag(node, "enabled", server.enabled);
  return server;
}

void buildDestination(const lyd_node* node, ServiceConfig& service) {
  const std::string protocol = text(node, "protocol", "tcp");
  service.protocol = protocol == "udp"    ? Protocol::Udp
                     : protocol == "sctp" ? Protocol::Sctp
                                          : Protocol::Tcp;
  service.vip = address(node, "address");
  service.port = number<std::uint16_t>(node, "port", 0);
  service.fwmark = optionalNumber<std::uint32_t>(node, "fwmark");
  if (service.fwmark) {
    service.fwmark_family =
        text(node, "address-family") == "ipv6" ? IpAddress::Family::V6 : IpAddress::Family::V4;
  }
}

void buildScheduling(const lyd_node* node, ServiceConfig& service) {
  service.scheduler = text(node, "scheduler", service.scheduler);
  service.scheduler_flags = leafList(node, "scheduler-flags");
  service.one_packet = flag(node, "one-packet", service.one_packet);
  const lyd_node* persistence = child(node, "persistence");
  service.persistence_timeout = optionalNumber<std::uint32_t>(persistence, "timeout");
  if (const auto netmask = leaf(persistence, "netmask")) {
    service.persistence_netmask = std::string(*netmask);
  }
  const std::string forwarding = text(node, "forwarding", "dr");
  service.forwarding = forwarding == "nat"   ? Forwarding::Nat
                       : forwarding == "tun" ? Forwarding::Tunnel
                                             : Forwarding::DirectRouting;
  service.depool_threshold = number(node, "depool-threshold", service.depool_threshold);
  service.depool_action =
      text(node, "depool-action") == "drain" ? DepoolAction::Drain : DepoolAction::Remove;
}

ServiceConfig buildService(const lyd_node* node, Diagnostics& problems) {
  ServiceConfig service;
  service.name = text(node, "name");
  buildDestination(node, service);
  buildScheduling(node, service);
  for (const lyd_node* monitor : children(node, "monitor")) {
    service.monitors.push_back(buildMonitor(monitor));
  }
  if (const lyd_node* list = child(node, "server-list")) {
    service.server_list = ServerListSource{text(list, "url")};
  }
  for (const lyd_node* server : children(node, "server")) {
    service.servers.push_back(buildServer(server));
  }
  service.announce = buildAnnounce(node, service.name, problems);
  return service;
}

}  // namespace

Config buildConfig(const lyd_node* tree, Diagnostics& problems) {
  Config config;
  const lyd_node* top = tree;
  while (top != nullptr && nameOf(top) != "config") {
    top = top->next;
  }
  if (top == nullptr) {
    return config;
  }
  config.global = buildGlobal(child(top, "global"), problems);
  for (const lyd_node* service : children(top, "service")) {
    config.services.push_back(buildService(service, problems));
  }
  return config;
}

}  // namespace vipd::config
