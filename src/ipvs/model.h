// The IPVS model: virtual services and their destinations as the kernel holds them, with
// every field the kernel takes. Plain values, ordered, so that two tables can be compared
// (the reconciler) and printed (dry-run, vipc).
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/ip_address.h"

namespace vipd::ipvs {

enum class Protocol : std::uint8_t { Tcp, Udp, Sctp };
enum class Forwarding : std::uint8_t { DirectRoute, Masquerade, Tunnel };
enum class TunnelType : std::uint8_t { Ipip, Gue, Gre };

// Service flags, as the kernel's IP_VS_SVC_F_* bits.
inline constexpr std::uint32_t kFlagPersistent = 0x0001;
inline constexpr std::uint32_t kFlagHashed = 0x0002;  // the kernel's own; never set by vipd
inline constexpr std::uint32_t kFlagOnePacket = 0x0004;
inline constexpr std::uint32_t kFlagSched1 = 0x0008;  // sh-fallback, mh-fallback
inline constexpr std::uint32_t kFlagSched2 = 0x0010;  // sh-port, mh-port
inline constexpr std::uint32_t kFlagSched3 = 0x0020;
// The flags a service can be given (kFlagHashed, which a dump shows, is not one of them).
inline constexpr std::uint32_t kServiceFlagsMask =
    kFlagPersistent | kFlagOnePacket | kFlagSched1 | kFlagSched2 | kFlagSched3;

// Tunnel encapsulation flags, as the kernel's IP_VS_TUNNEL_ENCAP_FLAG_* bits (none: no
// checksum).
inline constexpr std::uint16_t kTunnelFlagCsum = 0x0001;
inline constexpr std::uint16_t kTunnelFlagRemoteCsum = 0x0002;

// A service is its protocol, address and port, or its firewall mark (and family).
struct ServiceKey {
  IpAddress::Family family = IpAddress::Family::V4;
  Protocol protocol = Protocol::Tcp;
  IpAddress address;  // unset (all zero) for a fwmark service
  std::uint16_t port = 0;
  std::uint32_t fwmark = 0;  // 0: not a fwmark service

  auto operator<=>(const ServiceKey&) const = default;
  // ipvsadm's spelling: "-t 192.0.2.10:80", "-u [2001:db8::1]:53", "-f 7" (IPv6: "-f 7 -6").
  std::string toString() const;
};

struct Service {
  ServiceKey key;
  std::string scheduler = "wlc";
  std::uint32_t flags = 0;                // kFlag* bits (persistence sets kFlagPersistent)
  std::uint32_t persistence_timeout = 0;  // seconds; 0: not persistent
  std::uint32_t netmask = 0xffffffff;     // IPv4 mask (host order) or IPv6 prefix length
                                          // (0xffffffff there means 128, see canonical())

  bool operator==(const Service&) const = default;
};

struct DestinationKey {
  IpAddress address;
  std::uint16_t port = 0;

  auto operator<=>(const DestinationKey&) const = default;
};

struct Destination {
  DestinationKey key;
  Forwarding forwarding = Forwarding::DirectRoute;
  std::uint32_t weight = 1;
  std::uint32_t upper_threshold = 0;  // 0: no limit
  std::uint32_t lower_threshold = 0;
  TunnelType tunnel_type = TunnelType::Ipip;
  std::uint16_t tunnel_port = 0;   // GUE only
  std::uint16_t tunnel_flags = 0;  // GUE/GRE checksum flags: kTunnelFlag*

  bool operator==(const Destination&) const = default;
};

struct ServiceEntry {
  Service service;
  std::map<DestinationKey, Destination> destinations;

  bool operator==(const ServiceEntry&) const = default;
};

// A whole table, or the part of it one owner cares about.
struct Table {
  std::map<ServiceKey, ServiceEntry> services;

  bool operator==(const Table&) const = default;
};

// The global connection timeouts (ipvsadm --set), in seconds. When setting, 0 leaves a
// timeout unchanged.
struct Timeouts {
  std::uint32_t tcp = 0;
  std::uint32_t tcp_fin = 0;
  std::uint32_t udp = 0;

  bool operator==(const Timeouts&) const = default;
};

// The persistence netmask that means "one client address": 0xffffffff (IPv4), 128 (IPv6).
std::uint32_t fullNetmask(IpAddress::Family family);

// The form two values are compared in, so that a dump and a configuration that mean the
// same kernel state compare equal. A fwmark key has no protocol, address or port (Tcp, the
// all-zero IPv4 address, 0, as ipvsadm and a dump give them). A service keeps only
// kServiceFlagsMask bits; without kFlagPersistent it has no timeout and a full netmask; an
// IPv6 netmask of 0xffffffff is 128. A destination keeps tunnel fields only for a tunnel
// (the port only for GUE, the flags only for GUE and GRE).
ServiceKey canonical(ServiceKey key);
Service canonical(Service service);
Destination canonical(Destination destination);
ServiceEntry canonical(const ServiceEntry& entry);
Table canonical(const Table& table);

}  // namespace vipd::ipvs
