#include "bgp/prefix.h"

#include <array>
#include <charconv>

namespace vipd::bgp {

std::optional<Prefix> Prefix::make(const IpAddress& address, int length) {
  if (length < 0 || length > address.prefixLength()) {
    return std::nullopt;
  }

  // Clear the host bits: whole octets past the length, then the low bits of the last one.
  std::array<std::uint8_t, 16> bytes = address.bytes();
  const auto bits = static_cast<std::size_t>(length);
  for (std::size_t i = (bits + 7) / 8; i < bytes.size(); ++i) {
    bytes[i] = 0;
  }
  if (bits % 8 != 0) {
    bytes[bits / 8] &= static_cast<std::uint8_t>(0xFF << (8 - bits % 8));
  }

  const IpAddress canonical = address.isV4()
                                  ? IpAddress::fromV4({bytes[0], bytes[1], bytes[2], bytes[3]})
                                  : IpAddress::fromV6(bytes);
  return Prefix(canonical, static_cast<std::uint8_t>(length));
}

Prefix Prefix::host(const IpAddress& address) {
  return Prefix(address, static_cast<std::uint8_t>(address.prefixLength()));
}

std::optional<Prefix> Prefix::parse(std::string_view text) {
  const std::size_t slash = text.find('/');
  const auto address = IpAddress::parse(text.substr(0, slash));
  if (!address) {
    return std::nullopt;
  }
  if (slash == std::string_view::npos) {
    return host(*address);
  }

  const std::string_view digits = text.substr(slash + 1);
  int length = -1;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
  if (error != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
    return std::nullopt;
  }
  return make(*address, length);
}

std::string Prefix::toString() const {
  return address_.toString() + "/" + std::to_string(length_);
}

}  // namespace vipd::bgp
