// IpAddress: an IPv4 or IPv6 address as a plain value, parsed from and printed to its
// numeric text form. It keeps Asio out of the headers of every module that needs an address.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vipd {

class IpAddress {
 public:
  enum class Family : std::uint8_t { V4, V6 };

  IpAddress() = default;

  // Parses "192.0.2.1" or "2001:db8::1"; nullopt for anything else (names included).
  static std::optional<IpAddress> parse(std::string_view text);
  static IpAddress fromV4(std::array<std::uint8_t, 4> bytes);
  static IpAddress fromV6(std::array<std::uint8_t, 16> bytes);

  Family family() const { return family_; }
  bool isV4() const { return family_ == Family::V4; }
  bool isV6() const { return family_ == Family::V6; }
  // Network byte order; only the first 4 bytes count for IPv4.
  const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }
  int prefixLength() const { return isV4() ? 32 : 128; }

  // Canonical numeric form: "192.0.2.1", "2001:db8::1".
  std::string toString() const;
  // With a port, as ipvsadm prints it: "192.0.2.1:80", "[2001:db8::1]:80".
  std::string withPort(std::uint16_t port) const;

  auto operator<=>(const IpAddress&) const = default;

 private:
  Family family_ = Family::V4;
  std::array<std::uint8_t, 16> bytes_{};
};

}  // namespace vipd
