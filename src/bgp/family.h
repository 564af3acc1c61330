// Address families (RFC 4760 and IANA's AFI and SAFI registries). The codec carries
// IPv4 unicast and IPv6 unicast; other values pass through capabilities and ROUTE-REFRESH as
// raw numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/ip_address.h"

namespace vipd::bgp {

enum class Afi : std::uint16_t { Ipv4 = 1, Ipv6 = 2 };
enum class Safi : std::uint8_t { Unicast = 1 };

// A (AFI, SAFI) pair as raw numbers, as capabilities and ROUTE-REFRESH carry it.
struct AfiSafi {
  std::uint16_t afi = 0;
  std::uint8_t safi = 0;

  static constexpr AfiSafi of(Afi afi, Safi safi) {
    return AfiSafi{static_cast<std::uint16_t>(afi), static_cast<std::uint8_t>(safi)};
  }
  auto operator<=>(const AfiSafi&) const = default;
};

inline constexpr AfiSafi kIpv4Unicast = AfiSafi::of(Afi::Ipv4, Safi::Unicast);
inline constexpr AfiSafi kIpv6Unicast = AfiSafi::of(Afi::Ipv6, Safi::Unicast);

inline constexpr Afi afiOf(IpAddress::Family family) {
  return family == IpAddress::Family::V4 ? Afi::Ipv4 : Afi::Ipv6;
}

inline constexpr IpAddress::Family familyOf(Afi afi) {
  return afi == Afi::Ipv4 ? IpAddress::Family::V4 : IpAddress::Family::V6;
}

// "ipv4-unicast", "ipv6-unicast", or empty for a pair the codec does not carry.
inline constexpr std::string_view familyName(AfiSafi family) {
  if (family == kIpv4Unicast) {
    return "ipv4-unicast";
  }
  if (family == kIpv6Unicast) {
    return "ipv6-unicast";
  }
  return {};
}

}  // namespace vipd::bgp
