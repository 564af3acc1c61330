// The five BGP-4 messages (RFC 4271 4) as plain values, and Message, the one of them that
// decode() returns and encode() takes. What a field means on the wire is written next to it;
// what the codec checks is in codec.h.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "bgp/capabilities.h"
#include "bgp/notification.h"
#include "bgp/path_attributes.h"
#include "bgp/prefix.h"

namespace vipd::bgp {

enum class MessageType : std::uint8_t {
  Open = 1,
  Update = 2,
  Notification = 3,
  Keepalive = 4,
  RouteRefresh = 5,  // RFC 2918
};

inline constexpr std::size_t kHeaderSize = 19;
inline constexpr std::size_t kMaxMessageSize = 4096;           // RFC 4271 4.1
inline constexpr std::size_t kMaxExtendedMessageSize = 65535;  // RFC 8654 4
inline constexpr std::uint8_t kBgpVersion = 4;

// OPEN (RFC 4271 4.2). Optional parameters other than capabilities are refused when
// decoding (RFC 4271 6.2), so capabilities are all there is of them.
struct Open {
  std::uint8_t version = kBgpVersion;
  std::uint16_t my_as = 0;      // AS_TRANS when the real AS needs 4 octets (RFC 6793 4.1)
  std::uint16_t hold_time = 0;  // seconds: 0, or 3 and more
  std::uint32_t bgp_identifier = 0;
  std::vector<Capability> capabilities;  // in the order received

  // The sender's AS: from its 4-octet AS capability if it has one, else my_as (RFC 6793 4.1).
  std::uint32_t asNumber() const;

  bool operator==(const Open&) const = default;
};

// UPDATE (RFC 4271 4.3). withdrawn and nlri are the IPv4 unicast fields of the message;
// IPv6 (and IPv4 sent the multiprotocol way) travels in attributes.mp_reach and mp_unreach.
struct Update {
  std::vector<Prefix> withdrawn;
  PathAttributes attributes;
  std::vector<Prefix> nlri;

  // The End-of-RIB marker of a family (RFC 4724 2): an UPDATE with nothing at all
  // (IPv4 unicast), or with only an empty MP_UNREACH_NLRI.
  static Update endOfRib(Afi afi);
  // The family whose End-of-RIB this is, or nullopt when it is not one.
  std::optional<Afi> endOfRibFamily() const;

  bool operator==(const Update&) const = default;
};

struct Keepalive {
  bool operator==(const Keepalive&) const = default;
};

// ROUTE-REFRESH (RFC 2918 3, subtypes RFC 7313 3). The family is raw: one the session did
// not negotiate is to be ignored (RFC 2918 4), as is an unknown subtype (RFC 7313 5).
struct RouteRefresh {
  enum class Subtype : std::uint8_t { Normal = 0, BeginningOfRib = 1, EndOfRib = 2 };

  AfiSafi family = kIpv4Unicast;
  std::uint8_t subtype = 0;

  static RouteRefresh of(AfiSafi family, Subtype subtype = Subtype::Normal) {
    return RouteRefresh{family, static_cast<std::uint8_t>(subtype)};
  }

  bool operator==(const RouteRefresh&) const = default;
};

using Message = std::variant<Open, Update, Notification, Keepalive, RouteRefresh>;

MessageType typeOf(const Message& message);
// "open", "update", "notification", "keepalive", "route-refresh"; "type-N" otherwise.
std::string messageTypeName(std::uint8_t type);

}  // namespace vipd::bgp
