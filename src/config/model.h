// The configuration as plain C++ values: what the loaders (native JSON, PyBal import)
// produce after libyang has validated the data against vipd.yang. The other modules read
// these structs; none of them sees YANG, JSON or INI.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/ip_address.h"

namespace vipd::config {

using Seconds = std::chrono::duration<double>;

enum class Protocol : std::uint8_t { Tcp, Udp, Sctp };
enum class Forwarding : std::uint8_t { DirectRouting, Nat, Tunnel };
// What depooling a server does to its IPVS destination.
enum class DepoolAction : std::uint8_t { Remove, Drain };

// Which file format the configuration came from.
enum class Origin : std::uint8_t { Native, Pybal };

// --- Monitors -------------------------------------------------------------------------

struct IdleConnectionParams {
  Seconds timeout_clean_reconnect{3};
  Seconds max_delay{300};  // reconnect back-off cap
  bool keepalive = true;
  Seconds keepalive_idle{10};
  Seconds keepalive_interval{30};
  std::uint32_t keepalive_retries = 3;

  bool operator==(const IdleConnectionParams&) const = default;
};

struct TcpParams {
  std::optional<std::string> send;    // written once connected
  std::optional<std::string> expect;  // the reply must start with this

  bool operator==(const TcpParams&) const = default;
};

struct HttpParams {
  std::vector<std::string> urls;          // http:// or https://; one chosen at random per check
  std::uint32_t http_status = 200;        // a 3xx means a redirect is expected
  bool check_all = false;                 // fetch every URL each check
  std::uint32_t max_failures = 0;         // with check_all: failed URLs tolerated
  std::optional<std::string> body_match;  // the body must contain this
  bool tls_verify = true;

  bool operator==(const HttpParams&) const = default;
};

enum class DnsRecordType : std::uint8_t { Random, A, Aaaa };

struct DnsParams {
  std::vector<std::string> hostnames;  // one chosen at random per check
  DnsRecordType record_type = DnsRecordType::Random;
  bool fail_on_nxdomain = false;
  bool expect_answer = false;         // false: any NOERROR (or NXDOMAIN, unless failing on it)
  std::optional<std::uint16_t> port;  // default 53

  bool operator==(const DnsParams&) const = default;
};

struct UdpParams {
  std::string payload;        // empty: an empty datagram, as PyBal
  bool expect_reply = false;  // true: no reply within the timeout is down
  Seconds icmp_timeout{20};   // up again this long after the last ICMP error

  bool operator==(const UdpParams&) const = default;
};

struct RunCommandParams {
  std::string command;
  // {host}, {address} and {port} in an argument stand for the server's.
  std::vector<std::string> arguments;
  bool log_output = true;

  bool operator==(const RunCommandParams&) const = default;
};

struct IcmpParams {
  std::uint32_t payload_size = 56;

  bool operator==(const IcmpParams&) const = default;
};

enum class MonitorKind : std::uint8_t { IdleConnection, Tcp, Http, Dns, Udp, RunCommand, Icmp };

using MonitorParams = std::variant<IdleConnectionParams, TcpParams, HttpParams, DnsParams,
                                   UdpParams, RunCommandParams, IcmpParams>;

struct MonitorConfig {
  std::string name;  // unique within the service, e.g. "proxyfetch"
  MonitorKind kind = MonitorKind::Tcp;
  Seconds interval{10};
  Seconds timeout{5};
  double jitter = 0.1;     // each interval is drawn from interval x [1 - jitter, 1 + jitter]
  std::uint32_t rise = 1;  // consecutive successes to go up
  std::uint32_t fall = 1;  // consecutive failures to go down
  MonitorParams params;

  bool operator==(const MonitorConfig&) const = default;
};

// --- Servers and services ----------------------------------------------------------------

struct ServerConfig {
  std::string host;                   // a name or a numeric address
  std::optional<std::uint16_t> port;  // default: the service's
  std::uint32_t weight = 10;
  bool enabled = true;

  bool operator==(const ServerConfig&) const = default;
};

struct ServerListSource {
  std::string url;  // file:///path; http:// and etcd:// come later

  bool operator==(const ServerListSource&) const = default;
};

// --- BGP ---------------------------------------------------------------------------------

using WholeSeconds = std::chrono::seconds;

struct LargeCommunityValue {
  std::uint32_t global_administrator = 0;
  std::uint32_t local_data_1 = 0;
  std::uint32_t local_data_2 = 0;

  bool operator==(const LargeCommunityValue&) const = default;
};

struct IpPrefix {
  IpAddress address;
  std::uint8_t length = 0;

  bool operator==(const IpPrefix&) const = default;
};

// Path attributes, set globally, per peer and per VIP (bgp::RouteAttributes).
struct BgpAttributes {
  std::optional<std::uint32_t> med;
  std::vector<std::uint32_t> as_path;  // as written; empty: the local AS alone
  std::uint8_t as_path_prepend = 0;
  std::vector<std::uint32_t> communities;  // RFC 1997: asn << 16 | value
  std::vector<LargeCommunityValue> large_communities;
  std::optional<std::uint32_t> local_pref;
  std::optional<IpAddress> next_hop_ipv4;
  std::optional<IpAddress> next_hop_ipv6;

  bool operator==(const BgpAttributes&) const = default;
};

struct MinHealthy {
  bool percent = false;  // value is a percentage of the service's servers
  std::uint32_t value = 1;

  bool operator==(const MinHealthy&) const = default;
};

enum class HealthRule : std::uint8_t { EveryService, AnyService };

// A service's announce policy; services on one VIP share it.
struct ServiceAnnounce {
  bool announce = true;
  MinHealthy min_healthy;
  HealthRule health_rule = HealthRule::EveryService;
  std::vector<IpPrefix> prefixes;  // a fwmark service's
  std::vector<std::string> peers;  // by name; empty: every peer
  BgpAttributes attributes;

  bool operator==(const ServiceAnnounce&) const = default;
};

struct ServiceConfig {
  std::string name;
  Protocol protocol = Protocol::Tcp;
  std::optional<IpAddress> vip;  // absent for a fwmark service
  std::uint16_t port = 0;        // 0 for a fwmark service
  std::optional<std::uint32_t> fwmark;
  std::optional<IpAddress::Family> fwmark_family;  // a fwmark service's address family
  std::string scheduler = "wrr";
  std::vector<std::string> scheduler_flags;  // flag-1 .. flag-3, or their sh/mh names
  bool one_packet = false;
  std::optional<std::uint32_t> persistence_timeout;  // seconds
  std::optional<std::string> persistence_netmask;    // "255.255.255.0" or a v6 prefix length
  Forwarding forwarding = Forwarding::DirectRouting;
  double depool_threshold = 0.5;
  DepoolAction depool_action = DepoolAction::Remove;
  std::vector<MonitorConfig> monitors;
  std::optional<ServerListSource> server_list;
  std::vector<ServerConfig> servers;  // given inline in the configuration
  ServiceAnnounce announce;

  bool operator==(const ServiceConfig&) const = default;
};

// --- Global ------------------------------------------------------------------------------

struct Instrumentation {
  bool enabled = false;
  std::vector<IpAddress> addresses;  // default 127.0.0.1 and ::1
  std::uint16_t port = 9090;

  bool operator==(const Instrumentation&) const = default;
};

struct BgpPeer {
  std::string name;
  IpAddress address;
  std::uint16_t port = 179;
  std::optional<std::uint32_t> peer_as;  // unset: any (PyBal names none)
  bool passive = false;
  std::optional<IpAddress> local_address;
  std::uint16_t local_port = 0;
  WholeSeconds hold_time{90};
  WholeSeconds connect_retry_time{120};
  WholeSeconds idle_hold_time{1};
  WholeSeconds max_idle_hold_time{120};
  WholeSeconds stable_time{60};
  std::string md5_password;  // empty: none
  std::uint8_t ttl_security_hops = 0;
  std::optional<std::uint8_t> ttl;
  bool ipv4_unicast = true;
  bool ipv6_unicast = true;
  bool route_refresh = true;
  bool extended_messages = false;
  BgpAttributes attributes;

  bool operator==(const BgpPeer&) const = default;
};

struct BgpGracefulRestart {
  bool enabled = false;
  WholeSeconds restart_time{120};
  bool forwarding_preserved = true;

  bool operator==(const BgpGracefulRestart&) const = default;
};

struct BgpGlobal {
  bool enabled = false;
  std::optional<std::uint32_t> local_as;
  std::optional<IpAddress> router_id;  // unset: see bgp_settings (first local IPv4)
  std::vector<IpAddress> listen_addresses;
  std::uint16_t listen_port = 179;  // 0: no listener
  WholeSeconds hold_down{10};
  WholeSeconds withdraw_delay{0};
  WholeSeconds drain_time{30};
  bool drain_on_stop = false;
  std::string shutdown_message = "vipd stopping";
  BgpGracefulRestart graceful_restart;
  BgpAttributes attributes;  // the defaults of every announcement
  std::vector<BgpPeer> peers;

  bool operator==(const BgpGlobal&) const = default;
};

// The kernel's global IPVS timeouts (ipvsadm --set), in seconds; each unset one is left as
// the kernel has it.
struct IpvsTimeouts {
  std::optional<std::uint32_t> tcp;
  std::optional<std::uint32_t> tcp_fin;
  std::optional<std::uint32_t> udp;

  bool any() const { return tcp || tcp_fin || udp; }
  bool operator==(const IpvsTimeouts&) const = default;
};

struct IpvsGlobal {
  WholeSeconds redump_interval{60};  // 0: never
  IpvsTimeouts timeouts;

  bool operator==(const IpvsGlobal&) const = default;
};

struct Global {
  std::string control_socket = "/run/vipd/vipd.ctl";
  std::string control_socket_group;      // empty: vipd's own group
  std::string control_socket_read_only;  // empty: no read-only socket
  std::string state_file = "/var/lib/vipd/state.json";
  std::string log_level = "info";
  IpvsGlobal ipvs;
  Instrumentation instrumentation;
  BgpGlobal bgp;

  bool operator==(const Global&) const = default;
};

struct Config {
  Origin origin = Origin::Native;
  std::string source_file;
  Global global;
  std::vector<ServiceConfig> services;

  bool operator==(const Config&) const = default;
};

}  // namespace vipd::config
