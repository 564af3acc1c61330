// DaemonView: what the control plane (the vipc socket and the HTTP instrumentation) may see
// of the daemon and ask of it. The daemon implements it; src/control depends only on this
// interface and the plain structs below, so that both servers can be tested against a fake
// and neither reaches into the other modules.
//
// Every call runs on the daemon's loop thread. Snapshots are copies: cheap enough for a
// person's `vipc show` or a Prometheus scrape every few seconds, and never invalidated.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vipd::control {

using WallTime = std::chrono::system_clock::time_point;

struct StatusView {
  std::string version;
  std::string hostname;
  WallTime started{};
  std::string config_file;
  std::string config_format;  // "native" or "pybal"
  WallTime config_loaded{};
  bool dry_run = false;
  std::string ipvs_backend;  // "dry-run", "netlink"
  std::string router_id;     // empty without BGP
  std::size_t services = 0;
  std::size_t servers = 0;
  std::size_t peers = 0;
};

struct MonitorView {
  std::string name;
  std::string kind;     // "http", "idle-connection", ...
  std::string verdict;  // "up", "down", "unknown"
  std::string last_message;
  double last_latency_seconds = 0;
  WallTime last_change{};
  double interval_seconds = 0;
  double timeout_seconds = 0;
  std::uint64_t checks = 0;
  std::uint64_t up_results = 0;
  std::uint64_t down_results = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t up_transitions = 0;
  std::uint64_t down_transitions = 0;
  // Check durations for the histogram: upper bounds in seconds and cumulative counts.
  std::vector<std::pair<double, std::uint64_t>> duration_buckets;
  double duration_sum_seconds = 0;
};

struct ServerView {
  std::string host;
  std::uint16_t port = 0;
  std::string address;  // resolved; empty while unknown
  std::uint32_t weight = 0;
  bool enabled = true;             // as the server list and the operator say
  bool operator_disabled = false;  // `vipc disable server`
  std::string health;              // "up", "down", "unknown"
  bool pooled = false;
  WallTime last_change{};
  std::vector<MonitorView> monitors;
};

struct ServiceView {
  std::string name;
  std::string protocol;  // "tcp", "udp", "sctp"
  std::string address;   // the VIP; empty for a fwmark service
  std::uint16_t port = 0;
  std::uint32_t fwmark = 0;
  std::string scheduler;
  std::string forwarding;  // "dr", "nat", "tun"
  double depool_threshold = 0;
  std::string depool_action;  // "remove", "drain"
  std::size_t servers = 0;
  std::size_t enabled = 0;
  std::size_t up = 0;
  std::size_t pooled = 0;
  std::size_t pooled_but_down = 0;
  bool can_depool = false;
  std::uint64_t could_not_depool = 0;
  bool programmed = false;        // its IPVS entries are in the kernel as desired
  std::optional<bool> announced;  // nullopt without BGP
  std::string announce_reason;    // why announced or withdrawn, in words
  std::vector<ServerView> server_list;
};

struct IpvsDestinationView {
  std::string address;     // "198.51.100.1:80", "[2001:db8::1]:80"
  std::string forwarding;  // "Route", "Masq", "Tunnel" as ipvsadm -Ln prints it
  std::uint32_t weight = 0;
  std::uint64_t active_connections = 0;
  std::uint64_t inactive_connections = 0;
  std::uint64_t connections = 0;
  std::uint64_t packets_in = 0;
  std::uint64_t packets_out = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t cps = 0;
  std::uint64_t pps_in = 0;
  std::uint64_t pps_out = 0;
  std::uint64_t bps_in = 0;
  std::uint64_t bps_out = 0;
};

struct IpvsServiceView {
  std::string key;  // ipvsadm's "TCP  192.0.2.10:80", "FWM  7"
  std::string scheduler;
  std::string flags;   // "persistent 300", "ops", scheduler flags, as ipvsadm -Ln shows
  bool owned = false;  // vipd's (from its configuration) or another tool's
  std::uint64_t connections = 0;
  std::uint64_t packets_in = 0;
  std::uint64_t packets_out = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t cps = 0;
  std::uint64_t pps_in = 0;
  std::uint64_t pps_out = 0;
  std::uint64_t bps_in = 0;
  std::uint64_t bps_out = 0;
  std::vector<IpvsDestinationView> destinations;
};

struct IpvsView {
  std::string backend;
  std::string version;  // the kernel's IPVS version, e.g. "1.2.1"; empty in dry-run
  std::uint64_t connection_table_size = 0;
  std::uint64_t operations_applied = 0;
  std::uint64_t operations_failed = 0;
  std::uint64_t repairs = 0;
  std::vector<IpvsServiceView> services;
};

struct PeerView {
  std::string name;
  std::string address;
  std::uint16_t port = 0;
  std::uint32_t peer_as = 0;  // configured, or learnt from the OPEN; 0 while unknown
  std::uint32_t local_as = 0;
  std::string state;  // "Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established"
  WallTime since{};
  std::string last_error;
  bool enabled = true;  // false after `vipc disable protocol`
  std::string local_address;
  std::string peer_id;          // the peer's BGP identifier
  std::uint32_t hold_time = 0;  // negotiated
  std::uint32_t keepalive_time = 0;
  std::uint32_t configured_hold_time = 0;
  double hold_timer_remaining = 0;
  double keepalive_timer_remaining = 0;
  std::vector<std::string> local_capabilities;  // "ipv4-unicast", "4-octet-as", ...
  std::vector<std::string> peer_capabilities;
  std::uint64_t messages_sent = 0;
  std::uint64_t messages_received = 0;
  std::uint64_t updates_sent = 0;
  std::uint64_t updates_received = 0;
  std::uint64_t notifications_sent = 0;
  std::uint64_t notifications_received = 0;
  std::uint64_t prefixes_announced = 0;  // announcements sent
  std::uint64_t prefixes_withdrawn = 0;  // withdrawals sent
  std::uint64_t prefixes_received = 0;   // validated, counted and dropped
  std::uint64_t established_transitions = 0;
};

struct RouteView {
  std::string prefix;  // "192.0.2.10/32"
  std::string peer;
  bool announced = false;
  std::string state;   // "announced", "withdrawn", "hold-down", "withdraw-delay", "draining"
  std::string reason;  // why, in words
  WallTime since{};
  std::string next_hop;
  std::vector<std::uint32_t> as_path;
  std::optional<std::uint32_t> med;
  std::optional<std::uint32_t> local_pref;
  std::vector<std::string> communities;        // "65535:0"
  std::vector<std::string> large_communities;  // "4200000001:1:1"
  bool operator_hold = false;                  // `vipc withdraw vip`
};

// The outcome of a command: what was done, in words, or why it was refused.
using CommandResult = std::expected<std::string, std::string>;

struct Caller {
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::int32_t pid = 0;
};

class DaemonView {
 public:
  virtual ~DaemonView() = default;

  virtual StatusView status() const = 0;
  virtual std::vector<ServiceView> services() const = 0;
  virtual IpvsView ipvs(bool with_stats) const = 0;
  virtual std::vector<PeerView> peers() const = 0;
  virtual std::vector<RouteView> routes() const = 0;
  // Counters the metrics need beyond the views: e.g. "ipvs_operations_total{kind=...}".
  // Names are vipd's Prometheus names without the prefix; values as they stand.
  virtual std::map<std::string, double> processFigures() const = 0;

  // `configure check [FILE]` and `configure [FILE]`; an empty file means the current one.
  virtual CommandResult checkConfiguration(const std::string& file) = 0;
  virtual CommandResult reloadConfiguration(const std::string& file, const Caller& caller) = 0;
  // `disable server` / `enable server`: an operator's override, kept across restarts.
  virtual CommandResult setServerEnabled(const std::string& service, const std::string& host,
                                         std::optional<std::uint16_t> port, bool enabled,
                                         const Caller& caller) = 0;
  virtual CommandResult setPeerEnabled(const std::string& peer, bool enabled,
                                       const Caller& caller) = 0;
  virtual CommandResult restartPeer(const std::string& peer, const Caller& caller) = 0;
  // `withdraw vip` / `announce vip`: an operator's hold on one VIP.
  virtual CommandResult holdVip(const std::string& vip, bool withdrawn, const Caller& caller) = 0;
  virtual CommandResult drain(bool drain, const Caller& caller) = 0;
  // `down`: stop cleanly, as on SIGTERM.
  virtual CommandResult shutdown(const Caller& caller) = 0;
};

}  // namespace vipd::control
