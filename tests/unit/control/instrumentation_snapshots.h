// The HTTP instrumentation's data set for FakeDaemonView, shaped like a PyBal host: two
// services (one healthy, one with a server down but kept pooled by the depool threshold), two
// BGP peers, routes and IPVS entries. The HTTP side must never send a command: its tests
// check that the fake recorded none.
#pragma once

#include "fake_daemon_view.h"

namespace vipd::control::testing {

inline MonitorView monitor(std::string name, std::string kind, std::string verdict) {
  MonitorView m;
  m.name = std::move(name);
  m.kind = std::move(kind);
  m.verdict = verdict;
  m.last_message = verdict == "up" ? "HTTP 200" : "connection refused";
  m.last_latency_seconds = 0.012;
  m.interval_seconds = 10;
  m.timeout_seconds = 5;
  m.checks = 120;
  m.up_results = verdict == "up" ? 118 : 100;
  m.down_results = m.checks - m.up_results;
  m.timeouts = 1;
  m.up_transitions = 2;
  m.down_transitions = 1;
  m.duration_buckets = {{0.005, 10}, {0.01, 60}, {0.05, 115}, {0.1, 119}, {1, 120}};
  m.duration_sum_seconds = 1.75;
  return m;
}

inline ServerView server(std::string host, std::string health, bool pooled, bool enabled = true) {
  ServerView s;
  s.host = std::move(host);
  s.port = 80;
  s.address = "198.51.100." + std::to_string(s.host.size());
  s.weight = 10;
  s.enabled = enabled;
  s.health = health;
  s.pooled = pooled;
  s.last_change = at(1764756000);
  s.monitors = {monitor("ProxyFetch", "http", health == "up" ? "up" : "down"),
                monitor("IdleConnection", "idle-connection", health == "up" ? "up" : "down")};
  return s;
}

namespace detail {

inline void addServices(Snapshots& data) {
  ServiceView text;
  text.name = "text_80";
  text.protocol = "tcp";
  text.address = "192.0.2.10";
  text.port = 80;
  text.scheduler = "wrr";
  text.forwarding = "dr";
  text.depool_threshold = 0.5;
  text.depool_action = "remove";
  text.server_list = {server("cp1002.eqiad.wmnet", "up", true),
                      server("cp1001.eqiad.wmnet", "up", true),
                      server("cp1003.eqiad.wmnet", "down", false, false)};
  text.servers = 3;
  text.enabled = 2;
  text.up = 2;
  text.pooled = 2;
  text.can_depool = true;
  text.programmed = true;
  text.announced = true;
  text.announce_reason = "2 of 3 servers up";
  data.services.push_back(text);

  ServiceView api;
  api.name = "api_443";
  api.protocol = "tcp";
  api.address = "192.0.2.20";
  api.port = 443;
  api.scheduler = "sh";
  api.forwarding = "dr";
  api.depool_threshold = 0.9;
  api.depool_action = "remove";
  api.server_list = {server("mw1001", "up", true), server("mw1002", "down", true)};
  api.server_list[1].monitors[1].verdict = "up";  // "partially up"
  api.servers = 2;
  api.enabled = 2;
  api.up = 1;
  api.pooled = 2;
  api.pooled_but_down = 1;
  api.could_not_depool = 4;
  api.programmed = true;
  api.announced = true;
  api.announce_reason = "1 of 2 servers up";
  data.services.push_back(api);
}

inline void addPeers(Snapshots& data) {
  PeerView cr1;
  cr1.name = "cr1-eqiad";
  cr1.address = "192.0.2.254";
  cr1.port = 179;
  cr1.peer_as = 14907;
  cr1.local_as = 64600;
  cr1.state = "Established";
  cr1.since = at(1764755100);
  cr1.messages_sent = 40;
  cr1.messages_received = 38;
  cr1.updates_sent = 2;
  cr1.prefixes_announced = 2;
  cr1.established_transitions = 1;
  data.peers.push_back(cr1);

  PeerView cr2 = cr1;
  cr2.name = "cr2-eqiad";
  cr2.address = "2001:db8::fe";
  cr2.state = "Active";
  cr2.last_error = "connection refused";
  cr2.updates_sent = 0;
  cr2.prefixes_announced = 0;
  data.peers.push_back(cr2);

  for (const auto* prefix : {"192.0.2.10/32", "192.0.2.20/32"}) {
    RouteView route;
    route.prefix = prefix;
    route.peer = "cr1-eqiad";
    route.announced = true;
    route.state = "announced";
    route.reason = "enough servers up";
    route.since = at(1764755101);
    data.routes.push_back(route);
    route.peer = "cr2-eqiad";
    route.announced = false;
    route.state = "withdrawn";
    route.reason = "session not established";
    data.routes.push_back(route);
  }
}

inline void addIpvs(Snapshots& data) {
  data.ipvs.backend = "netlink";
  data.ipvs.version = "1.2.1";
  data.ipvs.connection_table_size = 4096;
  data.ipvs.operations_applied = 12;
  data.ipvs.operations_failed = 1;
  IpvsServiceView service;
  service.key = "TCP  192.0.2.10:80";
  service.scheduler = "wrr";
  service.owned = true;
  service.connections = 1000;
  service.packets_in = 5000;
  service.packets_out = 4000;
  service.bytes_in = 600000;
  service.bytes_out = 9000000;
  IpvsDestinationView destination;
  destination.address = "198.51.100.18:80";
  destination.forwarding = "Route";
  destination.weight = 10;
  destination.active_connections = 3;
  destination.connections = 500;
  service.destinations = {destination};
  data.ipvs.services = {service};
}

}  // namespace detail

inline Snapshots instrumentationSnapshots() {
  Snapshots data;
  data.status.version = "0.1.0";
  data.status.hostname = "lvs1001";
  data.status.started = at(1764755000);
  data.status.config_file = "/etc/pybal/pybal.conf";
  data.status.config_format = "pybal";
  data.status.config_loaded = at(1764755001);
  data.status.ipvs_backend = "netlink";
  data.status.router_id = "192.0.2.1";
  detail::addServices(data);
  detail::addPeers(data);
  detail::addIpvs(data);
  data.ipvs_with_stats = data.ipvs;
  data.figures = {{"http_requests_total{code=\"200\"}", 7},
                  {"http_requests_total{code=\"404\"}", 1},
                  {"ipvs_operations_total", 99},
                  {"loop_lag_seconds", 0.0005}};
  data.status.services = data.services.size();
  data.status.peers = data.peers.size();
  return data;
}

}  // namespace vipd::control::testing
