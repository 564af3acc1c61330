#include "common/ip_address.h"

#include <arpa/inet.h>

#include <cstring>

namespace vipd {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  // inet_pton needs a terminated string; addresses are short, so a copy is cheap.
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) {
    return std::nullopt;
  }
  const std::string terminated(text);

  std::array<std::uint8_t, 16> bytes{};
  if (inet_pton(AF_INET, terminated.c_str(), bytes.data()) == 1) {
    IpAddress address;
    address.family_ = Family::V4;
    address.bytes_ = bytes;
    return address;
  }
  if (inet_pton(AF_INET6, terminated.c_str(), bytes.data()) == 1) {
    IpAddress address;
    address.family_ = Family::V6;
    address.bytes_ = bytes;
    return address;
  }
  return std::nullopt;
}

IpAddress IpAddress::fromV4(std::array<std::uint8_t, 4> bytes) {
  IpAddress address;
  address.family_ = Family::V4;
  std::memcpy(address.bytes_.data(), bytes.data(), bytes.size());
  return address;
}

IpAddress IpAddress::fromV6(std::array<std::uint8_t, 16> bytes) {
  IpAddress address;
  address.family_ = Family::V6;
  address.bytes_ = bytes;
  return address;
}

std::string IpAddress::toString() const {
  char text[INET6_ADDRSTRLEN] = {};
  const int af = isV4() ? AF_INET : AF_INET6;
  inet_ntop(af, bytes_.data(), text, sizeof text);
  return text;
}

std::string IpAddress::withPort(std::uint16_t port) const {
  if (isV4()) {
    return toString() + ":" + std::to_string(port);
  }
  return "[" + toString() + "]:" + std::to_string(port);
}

}  // namespace vipd
