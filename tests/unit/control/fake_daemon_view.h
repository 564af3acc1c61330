// FakeDaemonView: a DaemonView over canned snapshots that records every command it is sent,
// for the tests of the control socket, of vipc and of the HTTP instrumentation. Two data
// sets: vipcSnapshots() (the default, below) and instrumentationSnapshots() (PyBal-shaped,
// instrumentation_snapshots.h). Times are fixed so that rendered output can be compared
// with goldens; tests may edit `data` before use.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "control/daemon_view.h"

namespace vipd::control::testing {

inline WallTime at(long long unix_seconds) {
  return WallTime(std::chrono::seconds(unix_seconds));
}

inline WallTime fixedTime(long seconds) {
  return at(1700000000 + seconds);
}

struct Snapshots {
  StatusView status;
  std::vector<ServiceView> services;
  IpvsView ipvs;
  IpvsView ipvs_with_stats;
  std::vector<PeerView> peers;
  std::vector<RouteView> routes;
  std::map<std::string, double> figures;
};

inline Snapshots vipcSnapshots();

class FakeDaemonView : public DaemonView {
 public:
  struct Call {
    std::string command;
    std::string argument;
    Caller caller;
  };

  explicit FakeDaemonView(Snapshots snapshots = vipcSnapshots()) : data(std::move(snapshots)) {}

  Snapshots data;

  StatusView status() const override { return data.status; }
  std::vector<ServiceView> services() const override { return data.services; }
  IpvsView ipvs(bool with_stats) const override {
    return with_stats ? data.ipvs_with_stats : data.ipvs;
  }
  std::vector<PeerView> peers() const override { return data.peers; }
  std::vector<RouteView> routes() const override { return data.routes; }
  std::map<std::string, double> processFigures() const override { return data.figures; }

  CommandResult checkConfiguration(const std::string& file) override {
    record("configure check", file, {});
    if (file == "/bad.yaml") {
      return std::unexpected("/bad.yaml:3: unknown key 'servcies'");
    }
    return "configuration " + (file.empty() ? std::string("/etc/vipd/vipd.yaml") : file) +
           " is valid";
  }
  CommandResult reloadConfiguration(const std::string& file, const Caller& caller) override {
    record("configure", file, caller);
    return "reconfigured: applied services web, dns; needs a restart: none";
  }
  CommandResult setServerEnabled(const std::string& service, const std::string& host,
                                 std::optional<std::uint16_t> port, bool enabled,
                                 const Caller& caller) override {
    const auto port_text = port ? ":" + std::to_string(*port) : std::string();
    record(enabled ? "enable server" : "disable server", service + " " + host + port_text, caller);
    if (service != "web" && service != "dns") {
      return std::unexpected("no service named " + service);
    }
    return std::string(enabled ? "enabled " : "disabled ") + host + port_text + " in " + service;
  }
  CommandResult setPeerEnabled(const std::string& peer, bool enabled,
                               const Caller& caller) override {
    record(enabled ? "enable protocol" : "disable protocol", peer, caller);
    return std::string(enabled ? "enabled " : "disabled ") + peer;
  }
  CommandResult restartPeer(const std::string& peer, const Caller& caller) override {
    record("restart protocol", peer, caller);
    return "restarted " + peer;
  }
  CommandResult holdVip(const std::string& vip, bool withdrawn, const Caller& caller) override {
    record(withdrawn ? "withdraw vip" : "announce vip", vip, caller);
    return std::string(withdrawn ? "withdrawn " : "announcing ") + vip;
  }
  CommandResult drain(bool drain, const Caller& caller) override {
    record(drain ? "drain" : "undrain", "", caller);
    return std::string(drain ? "draining" : "undrained");
  }
  CommandResult shutdown(const Caller& caller) override {
    record("down", "", caller);
    return std::string("shutdown requested");
  }

  std::vector<Call> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  void record(std::string command, std::string argument, const Caller& caller) {
    std::lock_guard lock(mutex_);
    calls_.push_back({std::move(command), std::move(argument), caller});
  }

  mutable std::mutex mutex_;
  std::vector<Call> calls_;
};

namespace detail {

inline ServerView vipcServer(const std::string& host, const std::string& address,
                             const std::string& health, bool pooled, std::uint32_t weight) {
  ServerView view;
  view.host = host;
  view.address = address;
  view.weight = weight;
  view.health = health;
  view.pooled = pooled;
  view.last_change = fixedTime(90);
  MonitorView monitor;
  monitor.name = "http";
  monitor.kind = "http";
  monitor.verdict = health;
  monitor.last_message = health == "up" ? "HTTP 200" : "connection refused";
  monitor.last_latency_seconds = 0.0042;
  monitor.last_change = fixedTime(90);
  monitor.interval_seconds = 10;
  monitor.timeout_seconds = 5;
  monitor.checks = 12;
  view.monitors = {monitor};
  return view;
}

inline StatusView vipcStatus() {
  StatusView view;
  view.version = "0.1.0";
  view.hostname = "lvs1";
  view.started = fixedTime(0);
  view.config_file = "/etc/vipd/vipd.yaml";
  view.config_format = "native";
  view.config_loaded = fixedTime(60);
  view.dry_run = true;
  view.ipvs_backend = "dry-run";
  view.router_id = "192.0.2.1";
  view.services = 2;
  view.servers = 3;
  view.peers = 2;
  return view;
}

inline std::vector<ServiceView> vipcServices() {
  ServiceView web;
  web.name = "web";
  web.protocol = "tcp";
  web.address = "192.0.2.10";
  web.port = 80;
  web.scheduler = "wrr";
  web.forwarding = "dr";
  web.depool_threshold = 0.5;
  web.depool_action = "remove";
  web.servers = 2;
  web.enabled = 2;
  web.up = 1;
  web.pooled = 1;
  web.can_depool = false;
  web.programmed = true;
  web.announced = true;
  web.announce_reason = "servers up";
  web.server_list = {vipcServer("web1.example.org", "198.51.100.1", "up", true, 10),
                     vipcServer("web2.example.org", "198.51.100.2", "down", false, 10)};
  ServiceView dns;
  dns.name = "dns";
  dns.protocol = "udp";
  dns.address = "192.0.2.53";
  dns.port = 53;
  dns.scheduler = "sh";
  dns.forwarding = "dr";
  dns.depool_threshold = 0.66;
  dns.depool_action = "remove";
  dns.servers = 1;
  dns.enabled = 1;
  dns.up = 1;
  dns.pooled = 1;
  dns.programmed = true;
  dns.announced = false;
  dns.announce_reason = "operator hold";
  dns.server_list = {vipcServer("ns1.example.org", "198.51.100.53", "up", true, 1)};
  return {web, dns};
}

inline IpvsView vipcIpvs(bool with_stats) {
  IpvsView view;
  view.backend = "dry-run";
  view.connection_table_size = 4096;
  IpvsServiceView web;
  web.key = "TCP  192.0.2.10:80";
  web.scheduler = "wrr";
  web.owned = true;
  IpvsDestinationView destination;
  destination.address = "198.51.100.1:80";
  destination.forwarding = "Route";
  destination.weight = 10;
  destination.active_connections = 3;
  destination.inactive_connections = 7;
  if (with_stats) {
    destination.connections = 120;
    destination.packets_in = 5000;
    destination.packets_out = 4000;
    destination.bytes_in = 600000;
    destination.bytes_out = 9000000;
    destination.cps = 2;
    web.connections = 120;
    web.packets_in = 5000;
    web.packets_out = 4000;
    web.bytes_in = 600000;
    web.bytes_out = 9000000;
    web.cps = 2;
  }
  web.destinations = {destination};
  view.services = {web};
  return view;
}

inline std::vector<PeerView> vipcPeers() {
  PeerView up;
  up.name = "router1";
  up.address = "192.0.2.254";
  up.port = 179;
  up.peer_as = 64512;
  up.local_as = 64513;
  up.state = "Established";
  up.since = fixedTime(120);
  up.local_address = "192.0.2.1";
  up.peer_id = "192.0.2.254";
  up.hold_time = 90;
  up.keepalive_time = 30;
  up.configured_hold_time = 90;
  up.hold_timer_remaining = 71.5;
  up.keepalive_timer_remaining = 12.25;
  up.local_capabilities = {"ipv4-unicast", "4-octet-as"};
  up.peer_capabilities = {"ipv4-unicast", "4-octet-as", "route-refresh"};
  up.messages_sent = 40;
  up.messages_received = 38;
  up.updates_sent = 2;
  up.prefixes_announced = 1;
  up.established_transitions = 1;
  PeerView down;
  down.name = "router2";
  down.address = "192.0.2.253";
  down.port = 179;
  down.peer_as = 64512;
  down.local_as = 64513;
  down.state = "Active";
  down.since = fixedTime(130);
  down.last_error = "connection refused";
  return {up, down};
}

inline std::vector<RouteView> vipcRoutes() {
  RouteView route;
  route.prefix = "192.0.2.10/32";
  route.peer = "router1";
  route.announced = true;
  route.state = "announced";
  route.reason = "servers up";
  route.since = fixedTime(125);
  route.next_hop = "192.0.2.1";
  route.as_path = {};
  route.med = 10;
  route.communities = {"64512:100"};
  RouteView held = route;
  held.prefix = "192.0.2.53/32";
  held.announced = false;
  held.state = "withdrawn";
  held.reason = "operator hold";
  held.med.reset();
  held.communities.clear();
  held.operator_hold = true;
  return {route, held};
}

}  // namespace detail

// The data set of vipc's goldens: services web and dns, peers router1 and router2.
inline Snapshots vipcSnapshots() {
  return {detail::vipcStatus(),
          detail::vipcServices(),
          detail::vipcIpvs(false),
          detail::vipcIpvs(true),
          detail::vipcPeers(),
          detail::vipcRoutes(),
          {}};
}

}  // namespace vipd::control::testing
