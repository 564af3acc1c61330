// Prefix: an IPv4 or IPv6 address and a prefix length, the unit of NLRI (RFC 4271 4.3).
// Always canonical: the bits past the length are zero, so equal prefixes compare equal
// whatever trailing bits a peer sent (RFC 4271 4.3: their value is irrelevant).
#pragma once

#include <bit>
#include <compare>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

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

  // Family, then address, then length (a defaulted comparison's order), the address read as
  // two 64-bit words: the speaker's tables look prefixes up hundreds of thousands of times.
  friend std::strong_ordering operator<=>(const Prefix& a, const Prefix& b) noexcept {
    return a.sortKey() <=> b.sortKey();
  }
  friend bool operator==(const Prefix& a, const Prefix& b) noexcept {
    return a.sortKey() == b.sortKey();
  }

  // The prefix as plain integers, in operator<=>'s order: what a sort of many prefixes
  // computes once for each (bgp/prefix_sort.h).
  struct SortKey {
    std::uint8_t family;
    std::uint64_t high;
    std::uint64_t low;
    std::uint8_t length;
    friend std::strong_ordering operator<=>(const SortKey&, const SortKey&) = default;
  };
  SortKey sortKey() const noexcept {
    const auto [high, low] = words();
    return {static_cast<std::uint8_t>(family()), high, low, length_};
  }

  // The address as two words, the first octets most significant.
  std::pair<std::uint64_t, std::uint64_t> words() const noexcept {
    std::uint64_t high = 0;
    std::uint64_t low = 0;
    std::memcpy(&high, address_.bytes().data(), sizeof high);
    std::memcpy(&low, address_.bytes().data() + sizeof high, sizeof low);
    if constexpr (std::endian::native == std::endian::little) {
      high = std::byteswap(high);
      low = std::byteswap(low);
    }
    return {high, low};
  }

 private:
  Prefix(const IpAddress& address, std::uint8_t length) : address_(address), length_(length) {}

  IpAddress address_;
  std::uint8_t length_ = 0;
};

// For unordered containers of prefixes.
struct PrefixHash {
  std::size_t operator()(const Prefix& prefix) const noexcept {
    const auto [high, low] = prefix.words();
    return std::hash<std::uint64_t>{}((high * 0x9E3779B97F4A7C15ULL) ^ low) ^ prefix.length();
  }
};

}  // namespace vipd::bgp
