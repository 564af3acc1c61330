#include "config/model_builder.h"

#include <charconv>
#include <string>
#include <string_view>
#include <vector>

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

// --- Global ------------------------------------------------------------------------------

std::vector<std::uint32_t> asPath(const lyd_node* bgp, Diagnostics& problems) {
  std::vector<std::uint32_t> path;
  const std::string value = text(bgp, "as-path");
  std::size_t start = 0;
  while (start < value.size()) {
    const std::size_t end = std::min(value.find(' ', start), value.size());
    const auto asn = toNumber<std::uint32_t>(std::string_view(value).substr(start, end - start));
    if (!asn || *asn == 0) {
      problems.push_back({Diagnostic::Severity::Error, "", std::nullopt,
                          "/vipd:config/global/bgp/as-path",
                          "as-path element \"" + value.substr(start, end - start) +
                              "\" is not an AS number (expected 1..4294967295)"});
    } else {
      path.push_back(*asn);
    }
    start = end + 1;
  }
  return path;
}

BgpGlobal buildBgp(const lyd_node* bgp, Diagnostics& problems) {
  BgpGlobal result;
  if (bgp == nullptr) {
    return result;
  }
  result.enabled = flag(bgp, "enabled", result.enabled);
  result.local_asn = optionalNumber<std::uint32_t>(bgp, "local-asn");
  result.peer_addresses = addresses(bgp, "peer-address");
  result.as_path = asPath(bgp, problems);
  if (result.as_path.empty() && result.local_asn) {
    result.as_path = {*result.local_asn};  // PyBal's default: the local AS alone
  }
  result.med = number(bgp, "med", result.med);
  result.nexthop_ipv4 = address(bgp, "nexthop-ipv4");
  result.nexthop_ipv6 = address(bgp, "nexthop-ipv6");
  result.local_ips = addresses(bgp, "local-ip");
  result.local_port = number(bgp, "local-port", result.local_port);
  return result;
}

Global buildGlobal(const lyd_node* global, Diagnostics& problems) {
  Global result;
  if (global == nullptr) {
    result.instrumentation.addresses = {*IpAddress::parse("127.0.0.1"), *IpAddress::parse("::1")};
    return result;
  }
  result.control_socket = text(global, "control-socket", result.control_socket);
  result.log_level = text(global, "log-level", result.log_level);

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

ServiceConfig buildService(const lyd_node* node) {
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
  const lyd_node* bgp = child(node, "bgp");
  service.announce.announce = flag(bgp, "announce", true);
  service.announce.med = optionalNumber<std::uint32_t>(bgp, "med");
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
    config.services.push_back(buildService(service));
  }
  return config;
}

}  // namespace vipd::config
