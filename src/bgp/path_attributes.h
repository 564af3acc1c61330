// The path attributes of an UPDATE (RFC 4271 4.3, 5) as plain values: one field per
// attribute the codec knows, and the unknown optional transitive ones as raw bytes.
// AS4_PATH and AS4_AGGREGATOR (RFC 6793) do not appear: decoding merges them into as_path
// and aggregator, and encoding for a 2-octet peer derives them again.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "bgp/as_path.h"
#include "bgp/communities.h"
#include "bgp/family.h"
#include "bgp/prefix.h"
#include "common/ip_address.h"

namespace vipd::bgp {

// Attribute type codes (IANA "BGP Path Attributes").
enum class AttributeType : std::uint8_t {
  Origin = 1,
  AsPath = 2,
  NextHop = 3,
  MultiExitDisc = 4,
  LocalPref = 5,
  AtomicAggregate = 6,
  Aggregator = 7,
  Communities = 8,        // RFC 1997
  MpReachNlri = 14,       // RFC 4760
  MpUnreachNlri = 15,     // RFC 4760
  As4Path = 17,           // RFC 6793
  As4Aggregator = 18,     // RFC 6793
  LargeCommunities = 32,  // RFC 8092
};

// Attribute flag bits (RFC 4271 4.3).
inline constexpr std::uint8_t kFlagOptional = 0x80;
inline constexpr std::uint8_t kFlagTransitive = 0x40;
inline constexpr std::uint8_t kFlagPartial = 0x20;
inline constexpr std::uint8_t kFlagExtendedLength = 0x10;

enum class Origin : std::uint8_t { Igp = 0, Egp = 1, Incomplete = 2 };

struct Aggregator {
  std::uint32_t asn = 0;  // 4-octet, whatever the peer sent
  IpAddress address;      // IPv4

  bool operator==(const Aggregator&) const = default;
};

// MP_REACH_NLRI (RFC 4760 3) for IPv4 or IPv6 unicast.
struct MpReach {
  Afi afi = Afi::Ipv6;
  Safi safi = Safi::Unicast;
  IpAddress next_hop;
  // IPv6 only: the link-local next hop that follows the global one (RFC 2545 3).
  std::optional<IpAddress> link_local;
  std::vector<Prefix> nlri;

  bool operator==(const MpReach&) const = default;
};

// MP_UNREACH_NLRI (RFC 4760 4). Empty withdrawn routes, alone in an UPDATE: End-of-RIB.
struct MpUnreach {
  Afi afi = Afi::Ipv6;
  Safi safi = Safi::Unicast;
  std::vector<Prefix> withdrawn;

  bool operator==(const MpUnreach&) const = default;
};

// An optional transitive attribute the codec does not know, kept to pass on (RFC 4271 5):
// flags as received without the extended-length bit (encoding chooses it); whoever passes
// it on sets kFlagPartial (RFC 4271 9).
struct RawAttribute {
  std::uint8_t flags = kFlagOptional | kFlagTransitive;
  std::uint8_t type = 0;
  std::vector<std::uint8_t> value;

  bool operator==(const RawAttribute&) const = default;
};

struct PathAttributes {
  std::optional<Origin> origin;
  std::optional<AsPath> as_path;
  // NEXT_HOP (IPv4). Its meaning (not the receiver's own address, on a shared subnet for
  // eBGP: RFC 4271 6.3, 5.1.3) is for the caller to judge.
  std::optional<IpAddress> next_hop;
  std::optional<std::uint32_t> multi_exit_disc;
  // LOCAL_PREF; from an external peer it is to be ignored (RFC 4271 5.1.5, RFC 7606 7.5).
  std::optional<std::uint32_t> local_pref;
  bool atomic_aggregate = false;
  std::optional<Aggregator> aggregator;
  std::vector<Community> communities;             // empty: no COMMUNITIES attribute
  std::vector<LargeCommunity> large_communities;  // empty: no LARGE_COMMUNITY attribute
  std::optional<MpReach> mp_reach;
  std::optional<MpUnreach> mp_unreach;
  std::vector<RawAttribute> unknown;  // by type code

  bool operator==(const PathAttributes&) const = default;
};

}  // namespace vipd::bgp
