// The BGP speaker's settings as plain values: the local system, each peer, and each VIP's
// announce policy. The daemon fills them from the configuration model (src/config); nothing
// here knows YANG or pybal.conf. Durations are whole seconds, as BGP's own timers are.
//
// Defaults follow RFC 4271 10 where it suggests one (hold time 90 s, ConnectRetry 120 s)
// and otherwise what a load balancer in front of routers wants: short back-off, IPv4 and
// IPv6 unicast, eBGP with a one-hop TTL.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bgp/communities.h"
#include "common/ip_address.h"

namespace vipd::bgp {

using Seconds = std::chrono::seconds;

// What the speaker attaches to a route. Set per peer and per VIP; a VIP's value wins over
// the peer's for the single-valued ones, and the lists are joined (peer first).
struct RouteAttributes {
  std::optional<std::uint32_t> med;               // MULTI_EXIT_DISC; PyBal's bgp-med
  std::vector<std::uint32_t> as_path;             // after the local AS (eBGP); PyBal's bgp-as-path
  std::uint32_t prepend_local_as = 0;             // extra copies of the local AS (eBGP)
  std::vector<Community> communities;             // RFC 1997
  std::vector<LargeCommunity> large_communities;  // RFC 8092
  std::optional<std::uint32_t> local_pref;        // iBGP only (RFC 4271 5.1.5); default 100 there
  std::optional<IpAddress> next_hop_ipv4;         // default: the session's local IPv4 address
  std::optional<IpAddress> next_hop_ipv6;         // default: the session's local IPv6 address

  bool operator==(const RouteAttributes&) const = default;
};

struct Families {
  bool ipv4_unicast = true;
  bool ipv6_unicast = true;

  bool operator==(const Families&) const = default;
};

struct PeerSettings {
  std::string name;  // for logs and `show protocols`; default: the address
  IpAddress address;
  std::uint16_t port = 179;
  // The AS the peer's OPEN must carry (RFC 4271 6.2); unset accepts any (PyBal names none).
  std::optional<std::uint32_t> peer_as;
  bool passive = false;                    // wait for the peer to connect; never connect out
  std::optional<IpAddress> local_address;  // source of outgoing connections; default: any
  std::uint16_t local_port = 0;            // source port of outgoing connections; 0: any

  Seconds hold_time{90};  // proposed; 0 or at least 3 (RFC 4271 4.2)
  Seconds connect_retry_time{120};
  Seconds idle_hold_time{1};  // first back-off after an error; doubles each time
  Seconds max_idle_hold_time{120};
  Seconds stable_time{60};  // an Established session this long resets the back-off
  // After our NOTIFICATION and FIN, how long a closing connection waits for the peer to
  // close its side before it is closed anyway (a peer that neither reads nor closes).
  Seconds close_wait_time{3};

  std::string md5_password;  // TCP MD5 signature (RFC 2385); empty: none
  // RFC 5082: send with TTL 255 and accept only packets that come from at most this many
  // hops away; 0 disables it (then the TTL is 1 for eBGP and 64 for iBGP, or ttl if set).
  std::uint8_t ttl_security_hops = 0;
  std::optional<std::uint8_t> ttl;

  Families families;
  bool route_refresh = true;       // RFC 2918
  bool extended_messages = false;  // RFC 8654
  RouteAttributes attributes;

  bool operator==(const PeerSettings&) const = default;
};

// Graceful restart (RFC 4724) as the local system offers it.
struct GracefulRestartSettings {
  bool enabled = false;
  Seconds restart_time{120};  // at most 4095
  // The F bit: IPVS keeps forwarding while vipd restarts, so the routes stay good.
  bool forwarding_preserved = true;
  // The R bit (RFC 4724 3): set by the daemon when it starts again after a graceful stop, so
  // that the peers know the session went down for a restart and wait for End-of-RIB.
  bool restarting = false;

  bool operator==(const GracefulRestartSettings&) const = default;
};

struct SpeakerSettings {
  std::uint32_t local_as = 0;
  // BGP identifier (RFC 6286); default: the first local IPv4 address (PyBal's bgp-local-ips).
  std::optional<std::uint32_t> router_id;
  // Where the shared listener accepts connections; empty: every address. Port 0 disables
  // the listener (active peers only).
  std::vector<IpAddress> listen_addresses;
  std::uint16_t listen_port = 179;
  std::vector<PeerSettings> peers;
  GracefulRestartSettings graceful_restart;

  Seconds hold_down{10};       // a recovered VIP waits this long before it is announced
  Seconds withdraw_delay{0};   // an unhealthy VIP waits this long before it is withdrawn
  Seconds drain_time{30};      // announced with GRACEFUL_SHUTDOWN this long, then withdrawn
  bool drain_on_stop = false;  // without graceful restart, drain before the final withdrawal
  std::string shutdown_message = "vipd stopping";  // RFC 9003

  bool operator==(const SpeakerSettings&) const = default;
};

}  // namespace vipd::bgp
