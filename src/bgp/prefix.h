// Prefix: an IPv4 or IPv6 address and a prefix length, the unit of NLRI (RFC 4271 4.3).
// Always canonical: the bits past the length are zero, so equal prefixes compare equal
// whatever trailing bits a peer sent (RFC 4271 4.3: their value is irrelevant).
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/ip_address.h"

namespace vipd::bgp {

class Prefix {
 public:
  Prefix() = default;  // 0.0.0.0/0

  // nullopt when length is negative or longer than the family's address.
  static std::optional<Prefix> make(const IpAddress& address, int length);
  // The /32 or /128 of one address (a VIP).
  static Prefix host(const IpAddress& address);
  // "198.18.0.0/15", "2001:db8::/32"; an address without "/len" is a host prefix.
  static std::optional<Prefix> parse(std::string_view text);

  const IpAddress& address() const { return address_; }
  std::uint8_t length() const { return length_; }
  IpAddress::Family family() const { return address_.family(); }
  bool isV4() const { return address_.isV4(); }
  // Octets of address the NLRI encoding carries: ceil(length / 8).
  std::size_t addressOctets() const { return (length_ + 7u) / 8u; }

  std::string toString() const;

  auto operator<=>(const Prefix&) const = default;

 private:
  Prefix(const IpAddress& address, std::uint8_t length) : address_(address), length_(length) {}

  IpAddress address_;
  std::uint8_t length_ = 0;
};

}  // namespace vipd::bgp
