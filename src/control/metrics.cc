#include "control/metrics.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

namespace vipd::control {

namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;
using ValueFormat = std::string (*)(double);

// Writes families one at a time: HELP and TYPE once, then every sample of the family, as the
// text format requires. Remembers the names so that no family appears twice.
class Writer {
 public:
  bool begin(const std::string& name, std::string_view type, std::string_view help) {
    if (!names_.insert(name).second) {
      return false;
    }
    out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    return true;
  }

  void sample(std::string_view name, const Labels& labels, double value,
              ValueFormat format = &MetricsExposition::formatValue) {
    out_ += name;
    if (!labels.empty()) {
      out_ += '{';
      for (std::size_t i = 0; i < labels.size(); ++i) {
        out_ += fmt::format("{}{}=\"{}\"", i > 0 ? "," : "", labels[i].first,
                            MetricsExposition::escapeLabelValue(labels[i].second));
      }
      out_ += '}';
    }
    out_ += ' ';
    out_ += format(value);
    out_ += '\n';
  }

  // A sample whose name and labels come already written, as the daemon's figures do.
  void rawSample(const std::string& name_and_labels, double value) {
    out_ += fmt::format("{} {}\n", name_and_labels, MetricsExposition::formatValue(value));
  }

  bool has(const std::string& name) const { return names_.contains(name); }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
  std::set<std::string> names_;
};

double seconds(WallTime time) {
  return std::chrono::duration<double>(time.time_since_epoch()).count();
}

double flag(bool value) {
  return value ? 1 : 0;
}

bool isUp(const ServerView& server) {
  return server.health == "up";
}
bool isEnabled(const ServerView& server) {
  return server.enabled && !server.operator_disabled;
}

Labels serviceLabels(const ServiceView& service) {
  return {{"service", service.name}};
}

Labels serverLabels(const ServiceView& service, const ServerView& server) {
  return {{"service", service.name}, {"host", server.host}, {"port", std::to_string(server.port)}};
}

Labels monitorLabels(const ServiceView& service, const ServerView& server,
                     const MonitorView& monitor) {
  auto labels = serverLabels(service, server);
  labels.emplace_back("monitor", monitor.name);
  labels.emplace_back("kind", monitor.kind);
  return labels;
}

Labels with(Labels labels, std::string name, std::string value) {
  labels.emplace_back(std::move(name), std::move(value));
  return labels;
}

// One metric per service, read from its view.
struct ServiceMetric {
  const char* name;
  const char* type;
  const char* help;
  std::function<double(const ServiceView&)> value;
};

const std::vector<ServiceMetric>& serviceMetrics() {
  static const std::vector<ServiceMetric> metrics = {
      {"vipd_service_servers", "gauge", "Servers configured for the service.",
       [](const auto& s) { return double(s.servers); }},
      {"vipd_service_servers_enabled", "gauge",
       "Servers enabled by the server list and the operator.",
       [](const auto& s) { return double(s.enabled); }},
      {"vipd_service_servers_up", "gauge", "Servers whose monitors all say up.",
       [](const auto& s) { return double(s.up); }},
      {"vipd_service_servers_pooled", "gauge", "Servers in the service's IPVS pool now.",
       [](const auto& s) { return double(s.pooled); }},
      {"vipd_service_servers_pooled_down", "gauge",
       "Servers down but kept pooled by the depool threshold.",
       [](const auto& s) { return double(s.pooled_but_down); }},
      {"vipd_service_depool_threshold_ratio", "gauge",
       "Share of all servers that must stay up and enabled before another may be depooled.",
       [](const auto& s) { return s.depool_threshold; }},
      {"vipd_service_can_depool", "gauge",
       "1 while the depool threshold allows depooling one more server.",
       [](const auto& s) { return flag(s.can_depool); }},
      {"vipd_service_could_not_depool_total", "counter",
       "Times a down server stayed pooled because of the depool threshold.",
       [](const auto& s) { return double(s.could_not_depool); }},
      {"vipd_service_programmed", "gauge",
       "1 while the service's IPVS entries are in the kernel as desired.",
       [](const auto& s) { return flag(s.programmed); }},
  };
  return metrics;
}

struct ServerMetric {
  const char* name;
  const char* help;
  std::function<double(const ServerView&)> value;
};

const std::vector<ServerMetric>& serverMetrics() {
  static const std::vector<ServerMetric> metrics = {
      {"vipd_server_up", "1 while all the server's monitors say up.",
       [](const auto& s) { return flag(isUp(s)); }},
      {"vipd_server_enabled", "1 while the server list and the operator enable the server.",
       [](const auto& s) { return flag(isEnabled(s)); }},
      {"vipd_server_pooled", "1 while the server is in IPVS.",
       [](const auto& s) { return flag(s.pooled); }},
      {"vipd_server_weight", "The server's weight.",
       [](const auto& s) { return double(s.weight); }},
  };
  return metrics;
}

struct PeerMetric {
  const char* name;
  const char* type;
  const char* help;
  std::function<double(const PeerView&)> value;
};

const std::vector<PeerMetric>& peerMetrics() {
  static const std::vector<PeerMetric> metrics = {
      {"vipd_bgp_peer_established", "gauge", "1 while the BGP session is Established.",
       [](const auto& p) { return flag(p.state == "Established"); }},
      {"vipd_bgp_peer_enabled", "gauge", "0 after an operator disabled the peer.",
       [](const auto& p) { return flag(p.enabled); }},
      {"vipd_bgp_peer_state_since_seconds", "gauge", "Unix time the session entered its state.",
       [](const auto& p) { return seconds(p.since); }},
      {"vipd_bgp_peer_established_transitions_total", "counter",
       "Times the session reached Established.",
       [](const auto& p) { return double(p.established_transitions); }},
      {"vipd_bgp_peer_messages_sent_total", "counter", "BGP messages sent to the peer.",
       [](const auto& p) { return double(p.messages_sent); }},
      {"vipd_bgp_peer_messages_received_total", "counter", "BGP messages received from the peer.",
       [](const auto& p) { return double(p.messages_received); }},
      {"vipd_bgp_peer_updates_sent_total", "counter", "UPDATE messages sent to the peer.",
       [](const auto& p) { return double(p.updates_sent); }},
      {"vipd_bgp_peer_updates_received_total", "counter", "UPDATE messages received from the peer.",
       [](const auto& p) { return double(p.updates_received); }},
      {"vipd_bgp_peer_prefixes_announced_total", "counter",
       "Prefix announcements sent to the peer.",
       [](const auto& p) { return double(p.prefixes_announced); }},
      {"vipd_bgp_peer_prefixes_withdrawn_total", "counter", "Prefix withdrawals sent to the peer.",
       [](const auto& p) { return double(p.prefixes_withdrawn); }},
      {"vipd_bgp_peer_prefixes_received_total", "counter",
       "Prefixes the peer sent (validated and dropped).",
       [](const auto& p) { return double(p.prefixes_received); }},
      {"vipd_bgp_peer_notifications_sent_total", "counter",
       "NOTIFICATION messages sent to the peer.",
       [](const auto& p) { return double(p.notifications_sent); }},
      {"vipd_bgp_peer_notifications_received_total", "counter",
       "NOTIFICATION messages received from the peer.",
       [](const auto& p) { return double(p.notifications_received); }},
  };
  return metrics;
}

constexpr std::string_view kBgpStates[] = {"Idle",     "Connect",     "Active",
                                           "OpenSent", "OpenConfirm", "Established"};

void writeStatus(Writer& out, const StatusView& status) {
  out.begin("vipd_build_info", "gauge", "Always 1; the labels name vipd's version.");
  out.sample("vipd_build_info", {{"version", status.version}}, 1);
  out.begin("vipd_start_time_seconds", "gauge", "Unix time vipd started.");
  out.sample("vipd_start_time_seconds", {}, seconds(status.started));
  out.begin("vipd_config_loaded_time_seconds", "gauge",
            "Unix time the running configuration was loaded.");
  out.sample("vipd_config_loaded_time_seconds",
             {{"file", status.config_file}, {"format", status.config_format}},
             seconds(status.config_loaded));
  out.begin("vipd_dry_run", "gauge", "1 when vipd runs without touching the kernel's IPVS.");
  out.sample("vipd_dry_run", {{"backend", status.ipvs_backend}}, flag(status.dry_run));
}

void writeServices(Writer& out, const std::vector<ServiceView>& services) {
  for (const auto& metric : serviceMetrics()) {
    out.begin(metric.name, metric.type, metric.help);
    for (const auto& service : services) {
      out.sample(metric.name, serviceLabels(service), metric.value(service));
    }
  }

  out.begin("vipd_service_announced", "gauge",
            "1 while the service's VIP is announced; absent without BGP.");
  for (const auto& service : services) {
    if (service.announced) {
      out.sample("vipd_service_announced", serviceLabels(service), flag(*service.announced));
    }
  }

  for (const auto& metric : serverMetrics()) {
    out.begin(metric.name, "gauge", metric.help);
    for (const auto& service : services) {
      for (const auto& server : service.server_list) {
        out.sample(metric.name, serverLabels(service, server), metric.value(server));
      }
    }
  }
}

// Calls `each` for every monitor of every server of every service.
void forEachMonitor(
    const std::vector<ServiceView>& services,
    const std::function<void(const ServiceView&, const ServerView&, const MonitorView&)>& each) {
  for (const auto& service : services) {
    for (const auto& server : service.server_list) {
      for (const auto& monitor : server.monitors) {
        each(service, server, monitor);
      }
    }
  }
}

void writeHistogram(Writer& out, const ServiceView& service, const ServerView& server,
                    const MonitorView& monitor) {
  const auto labels = monitorLabels(service, server, monitor);
  std::uint64_t count = 0;
  for (const auto& [bound, cumulative] : monitor.duration_buckets) {
    count = std::max(count, cumulative);
    if (!std::isinf(bound)) {
      out.sample("vipd_monitor_check_duration_seconds_bucket",
                 with(labels, "le", MetricsExposition::formatValue(bound)), double(cumulative));
    }
  }
  count = std::max(count, monitor.checks);
  out.sample("vipd_monitor_check_duration_seconds_bucket", with(labels, "le", "+Inf"),
             double(count));
  out.sample("vipd_monitor_check_duration_seconds_sum", labels, monitor.duration_sum_seconds);
  out.sample("vipd_monitor_check_duration_seconds_count", labels, double(count));
}

void writeMonitors(Writer& out, const std::vector<ServiceView>& services) {
  out.begin("vipd_monitor_up", "gauge", "1 while the monitor says up, 0 while down or unknown.");
  forEachMonitor(services, [&](const auto& service, const auto& server, const auto& monitor) {
    out.sample("vipd_monitor_up", monitorLabels(service, server, monitor),
               flag(monitor.verdict == "up"));
  });
  out.begin("vipd_monitor_checks_total", "counter", "Checks the monitor ran.");
  forEachMonitor(services, [&](const auto& service, const auto& server, const auto& monitor) {
    out.sample("vipd_monitor_checks_total", monitorLabels(service, server, monitor),
               double(monitor.checks));
  });
  out.begin("vipd_monitor_results_total", "counter",
            "Check results, by result (up, down, timeout).");
  forEachMonitor(services, [&](const auto& service, const auto& server, const auto& monitor) {
    const auto labels = monitorLabels(service, server, monitor);
    out.sample("vipd_monitor_results_total", with(labels, "result", "up"),
               double(monitor.up_results));
    out.sample("vipd_monitor_results_total", with(labels, "result", "down"),
               double(monitor.down_results));
    out.sample("vipd_monitor_results_total", with(labels, "result", "timeout"),
               double(monitor.timeouts));
  });
  out.begin("vipd_monitor_transitions_total", "counter",
            "Changes of the monitor's verdict, by the new verdict.");
  forEachMonitor(services, [&](const auto& service, const auto& server, const auto& monitor) {
    const auto labels = monitorLabels(service, server, monitor);
    out.sample("vipd_monitor_transitions_total", with(labels, "to", "up"),
               double(monitor.up_transitions));
    out.sample("vipd_monitor_transitions_total", with(labels, "to", "down"),
               double(monitor.down_transitions));
  });
  out.begin("vipd_monitor_check_duration_seconds", "histogram",
            "How long the monitor's checks took.");
  forEachMonitor(services, [&](const auto& service, const auto& server, const auto& monitor) {
    writeHistogram(out, service, server, monitor);
  });
}

void writePeers(Writer& out, const std::vector<PeerView>& peers) {
  const auto labels = [](const PeerView& peer) {
    return Labels{{"peer", peer.name}, {"address", peer.address}};
  };
  out.begin("vipd_bgp_peer_state", "gauge",
            "1 for the BGP session's current state, 0 for the others.");
  for (const auto& peer : peers) {
    for (const auto state : kBgpStates) {
      out.sample("vipd_bgp_peer_state", with(labels(peer), "state", std::string(state)),
                 flag(peer.state == state));
    }
  }
  for (const auto& metric : peerMetrics()) {
    out.begin(metric.name, metric.type, metric.help);
    for (const auto& peer : peers) {
      out.sample(metric.name, labels(peer), metric.value(peer));
    }
  }
}

std::string vipOf(std::string_view prefix) {
  return std::string(prefix.substr(0, prefix.find('/')));
}

void writeRoutes(Writer& out, const std::vector<RouteView>& routes) {
  out.begin("vipd_vip_announced", "gauge", "1 while the VIP is announced to at least one peer.");
  std::map<std::string, bool> vips;
  for (const auto& route : routes) {
    vips[vipOf(route.prefix)] |= route.announced;
  }
  for (const auto& [vip, announced] : vips) {
    out.sample("vipd_vip_announced", {{"vip", vip}}, flag(announced));
  }

  out.begin("vipd_route_announced", "gauge", "1 while the prefix is announced to the peer.");
  for (const auto& route : routes) {
    out.sample("vipd_route_announced",
               {{"prefix", route.prefix}, {"peer", route.peer}, {"state", route.state}},
               flag(route.announced));
  }
}

// The kernel's traffic counters of IPVS services or destinations: one family at a time.
template <typename Item>
void writeTraffic(Writer& out, const std::string& prefix, std::string_view what,
                  const std::vector<std::pair<Labels, const Item*>>& items) {
  const auto connections = prefix + "_connections_total";
  out.begin(connections, "counter",
            fmt::format("The kernel's count of connections to the {}.", what));
  for (const auto& [labels, item] : items) {
    out.sample(connections, labels, double(item->connections));
  }
  const auto packets = prefix + "_packets_total";
  out.begin(packets, "counter",
            fmt::format("The kernel's count of packets of the {}, by direction.", what));
  for (const auto& [labels, item] : items) {
    out.sample(packets, with(labels, "direction", "in"), double(item->packets_in));
    out.sample(packets, with(labels, "direction", "out"), double(item->packets_out));
  }
  const auto bytes = prefix + "_bytes_total";
  out.begin(bytes, "counter",
            fmt::format("The kernel's count of bytes of the {}, by direction.", what));
  for (const auto& [labels, item] : items) {
    out.sample(bytes, with(labels, "direction", "in"), double(item->bytes_in));
    out.sample(bytes, with(labels, "direction", "out"), double(item->bytes_out));
  }
}

void writeIpvs(Writer& out, const IpvsView& ipvs) {
  const Labels backend = {{"backend", ipvs.backend}};
  out.begin("vipd_ipvs_operations_total", "counter", "IPVS changes vipd applied to the kernel.");
  out.sample("vipd_ipvs_operations_total", backend, double(ipvs.operations_applied));
  out.begin("vipd_ipvs_operation_errors_total", "counter", "IPVS changes the kernel refused.");
  out.sample("vipd_ipvs_operation_errors_total", backend, double(ipvs.operations_failed));
  out.begin("vipd_ipvs_repairs_total", "counter",
            "Times vipd repaired IPVS entries changed behind its back.");
  out.sample("vipd_ipvs_repairs_total", backend, double(ipvs.repairs));
  out.begin("vipd_ipvs_connection_table_size", "gauge",
            "Size of the kernel's IPVS connection hash table.");
  out.sample("vipd_ipvs_connection_table_size", {}, double(ipvs.connection_table_size));

  std::vector<std::pair<Labels, const IpvsServiceView*>> services;
  std::vector<std::pair<Labels, const IpvsDestinationView*>> destinations;
  for (const auto& service : ipvs.services) {
    const Labels labels = {{"ipvs_service", service.key},
                           {"owned", service.owned ? "true" : "false"}};
    services.emplace_back(labels, &service);
    for (const auto& destination : service.destinations) {
      destinations.emplace_back(with(labels, "destination", destination.address), &destination);
    }
  }
  writeTraffic(out, "vipd_ipvs_service", "IPVS service", services);
  writeTraffic(out, "vipd_ipvs_destination", "IPVS destination", destinations);
}

void writeIpvsDestinationGauges(Writer& out, const IpvsView& ipvs) {
  const auto labels = [](const IpvsServiceView& service, const IpvsDestinationView& destination) {
    return Labels{{"ipvs_service", service.key}, {"destination", destination.address}};
  };
  out.begin("vipd_ipvs_destination_active_connections", "gauge",
            "The kernel's active connections to the destination.");
  for (const auto& service : ipvs.services) {
    for (const auto& destination : service.destinations) {
      out.sample("vipd_ipvs_destination_active_connections", labels(service, destination),
                 double(destination.active_connections));
    }
  }
  out.begin("vipd_ipvs_destination_inactive_connections", "gauge",
            "The kernel's inactive connections to the destination.");
  for (const auto& service : ipvs.services) {
    for (const auto& destination : service.destinations) {
      out.sample("vipd_ipvs_destination_inactive_connections", labels(service, destination),
                 double(destination.inactive_connections));
    }
  }
  out.begin("vipd_ipvs_destination_weight", "gauge", "The destination's weight in the kernel.");
  for (const auto& service : ipvs.services) {
    for (const auto& destination : service.destinations) {
      out.sample("vipd_ipvs_destination_weight", labels(service, destination),
                 double(destination.weight));
    }
  }
}

// The standard process_ figures, from /proc/self (Linux); absent where unreadable.
void writeProcess(Writer& out) {
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  const auto after_name = stat.rfind(')');
  if (after_name == std::string::npos) {
    return;
  }

  // Fields from the third on (state), after the command name in parentheses.
  std::istringstream fields(stat.substr(after_name + 2));
  std::vector<std::string> field((std::istream_iterator<std::string>(fields)),
                                 std::istream_iterator<std::string>());
  if (field.size() < 22) {
    return;
  }
  const double ticks = double(sysconf(_SC_CLK_TCK));
  const double page = double(sysconf(_SC_PAGESIZE));
  const double cpu = (std::stod(field[11]) + std::stod(field[12])) / ticks;
  const double start_ticks = std::stod(field[19]);

  double boot_time = 0;
  std::ifstream proc_stat("/proc/stat");
  for (std::string line; std::getline(proc_stat, line);) {
    if (line.starts_with("btime ")) {
      boot_time = std::stod(line.substr(6));
    }
  }

  std::size_t fds = 0;
  std::error_code error;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", error);
       !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    ++fds;
  }

  out.begin("process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.");
  out.sample("process_cpu_seconds_total", {}, cpu);
  out.begin("process_start_time_seconds", "gauge", "Unix time the process started.");
  out.sample("process_start_time_seconds", {}, boot_time + start_ticks / ticks);
  out.begin("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
  out.sample("process_virtual_memory_bytes", {}, std::stod(field[20]));
  out.begin("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
  out.sample("process_resident_memory_bytes", {}, std::stod(field[21]) * page);
  out.begin("process_open_fds", "gauge", "Open file descriptors.");
  out.sample("process_open_fds", {}, double(fds));
  out.begin("process_max_fds", "gauge", "The limit of open file descriptors.");
  out.sample("process_max_fds", {}, double(sysconf(_SC_OPEN_MAX)));
}

bool validName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) {
    return false;
  }
  return std::ranges::all_of(name, [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

// The daemon's own figures ("name{labels}" -> value), under the vipd_ prefix. A figure whose
// family this exposition already wrote, or whose name is malformed, is left out.
void writeDaemonFigures(Writer& out, const std::map<std::string, double>& figures) {
  std::map<std::string, std::vector<std::pair<std::string, double>>> families;
  for (const auto& [key, value] : figures) {
    const auto brace = key.find('{');
    const auto name = key.substr(0, brace);
    const auto labels = brace == std::string::npos ? std::string() : key.substr(brace);
    if (!validName(name) || (!labels.empty() && !labels.ends_with('}'))) {
      continue;
    }
    families["vipd_" + name].emplace_back(labels, value);
  }

  for (const auto& [family, samples] : families) {
    if (out.has(family)) {
      continue;
    }
    out.begin(family, family.ends_with("_total") ? "counter" : "gauge", "A figure of the daemon.");
    for (const auto& [labels, value] : samples) {
      out.rawSample(family + labels, value);
    }
  }
}

// PyBal's monitor names, as its monitor classes called themselves.
std::string pybalMonitorName(const MonitorView& monitor) {
  static const std::map<std::string, std::string, std::less<>> names = {
      {"http", "ProxyFetch"},        {"https", "ProxyFetch"}, {"idle-connection", "IdleConnection"},
      {"run-command", "RunCommand"}, {"dns", "DNSQuery"},     {"udp", "UDP"}};
  const auto found = names.find(monitor.kind);
  return found == names.end() ? monitor.name : found->second;
}

void writePybalServices(Writer& out, const std::vector<ServiceView>& services) {
  const std::vector<ServiceMetric> metrics = {
      {"pybal_service_servers", "gauge", "Servers of the service (PyBal's name).",
       [](const auto& s) { return double(s.servers); }},
      {"pybal_service_servers_enabled", "gauge", "Enabled servers (PyBal's name).",
       [](const auto& s) { return double(s.enabled); }},
      {"pybal_service_servers_up", "gauge", "Up servers (PyBal's name).",
       [](const auto& s) { return double(s.up); }},
      {"pybal_service_servers_pooled", "gauge", "Pooled servers (PyBal's name).",
       [](const auto& s) { return double(s.pooled); }},
      {"pybal_service_can_depool", "gauge",
       "1 while one more server may be depooled (PyBal's name).",
       [](const auto& s) { return flag(s.can_depool); }},
      {"pybal_service_pooled_down_servers", "gauge", "Down servers kept pooled (PyBal's name).",
       [](const auto& s) { return double(s.pooled_but_down); }},
      {"pybal_service_could_not_depool_total", "counter",
       "Depools refused by the threshold (PyBal's name).",
       [](const auto& s) { return double(s.could_not_depool); }},
      {"pybal_service_depool_threshold", "gauge", "The depool threshold (PyBal's name).",
       [](const auto& s) { return s.depool_threshold; }},
  };
  for (const auto& metric : metrics) {
    out.begin(metric.name, metric.type, metric.help);
    for (const auto& service : services) {
      out.sample(metric.name, serviceLabels(service), metric.value(service),
                 &MetricsExposition::formatPythonValue);
    }
  }
}

void writePybalMonitors(Writer& out, const std::vector<ServiceView>& services) {
  struct Family {
    const char* name;
    const char* type;
    const char* help;
    std::function<double(const MonitorView&)> value;
  };
  const std::vector<Family> families = {
      {"pybal_monitor_up_transitions_total", "counter", "Monitor transitions to up (PyBal's name).",
       [](const auto& m) { return double(m.up_transitions); }},
      {"pybal_monitor_down_transitions_total", "counter",
       "Monitor transitions to down (PyBal's name).",
       [](const auto& m) { return double(m.down_transitions); }},
      {"pybal_monitor_up_results_total", "counter", "Up results of the monitor (PyBal's name).",
       [](const auto& m) { return double(m.up_results); }},
      {"pybal_monitor_down_results_total", "counter", "Down results of the monitor (PyBal's name).",
       [](const auto& m) { return double(m.down_results); }},
      {"pybal_monitor_status", "gauge", "1 while the monitor says up (PyBal's name).",
       [](const auto& m) { return flag(m.verdict == "up"); }},
  };
  for (const auto& family : families) {
    out.begin(family.name, family.type, family.help);
    forEachMonitor(services, [&](const auto& service, const auto& server, const auto& monitor) {
      const Labels labels = {
          {"service", service.name}, {"host", server.host}, {"monitor", pybalMonitorName(monitor)}};
      out.sample(family.name, labels, family.value(monitor), &MetricsExposition::formatPythonValue);
    });
  }
}

void writePybalBgp(Writer& out, const StatusView& status, const std::vector<PeerView>& peers) {
  out.begin("pybal_bgp_enabled", "gauge", "1 when BGP is configured (PyBal's name).");
  out.sample("pybal_bgp_enabled", {}, flag(status.peers > 0 || !peers.empty()),
             &MetricsExposition::formatPythonValue);
  out.begin("pybal_bgp_session_established", "gauge",
            "1 while the BGP session is Established (PyBal's name).");
  for (const auto& peer : peers) {
    out.sample("pybal_bgp_session_established",
               {{"local_asn", std::to_string(peer.local_as)}, {"peer", peer.address}},
               flag(peer.state == "Established"), &MetricsExposition::formatPythonValue);
  }
}

}  // namespace

std::string MetricsExposition::render() const {
  const auto status = view_.status();
  const auto services = view_.services();
  const auto peers = view_.peers();

  Writer out;
  writeStatus(out, status);
  writeServices(out, services);
  writeMonitors(out, services);
  writePeers(out, peers);
  writeRoutes(out, view_.routes());
  const auto ipvs = view_.ipvs(true);
  writeIpvs(out, ipvs);
  writeIpvsDestinationGauges(out, ipvs);
  writeProcess(out);
  writeDaemonFigures(out, view_.processFigures());

  if (status.config_format == "pybal") {
    writePybalServices(out, services);
    writePybalMonitors(out, services);
    writePybalBgp(out, status, peers);
  }
  return out.take();
}

std::string MetricsExposition::escapeLabelValue(std::string_view value) {
  std::string out;
  for (const char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string MetricsExposition::formatValue(double value) {
  if (std::isnan(value)) {
    return "NaN";
  }
  if (std::isinf(value)) {
    return value > 0 ? "+Inf" : "-Inf";
  }
  if (value == std::trunc(value) && std::abs(value) < 1e15) {
    return fmt::format("{}", static_cast<long long>(value));
  }
  return fmt::format("{}", value);
}

std::string MetricsExposition::formatPythonValue(double value) {
  auto text = formatValue(value);
  const bool integral = text.find_first_not_of("-0123456789") == std::string::npos;
  return integral ? text + ".0" : text;
}

}  // namespace vipd::control
