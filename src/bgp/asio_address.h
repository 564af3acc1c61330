// Conversions between vipd's IpAddress and Asio's addresses, for the .cc files that use Asio
// (this header includes it; keep it out of every other header). A v4-mapped IPv6 address,
// as a dual-stack socket reports an IPv4 peer, converts to the IPv4 address it carries.
#pragma once

#include <algorithm>
#include <array>
#include <boost/asio/ip/address.hpp>

#include "common/ip_address.h"

namespace vipd::bgp {

inline boost::asio::ip::address toAsio(const IpAddress& address) {
  const auto& bytes = address.bytes();
  if (address.isV4()) {
    return boost::asio::ip::address_v4(
        boost::asio::ip::address_v4::bytes_type{bytes[0], bytes[1], bytes[2], bytes[3]});
  }
  boost::asio::ip::address_v6::bytes_type v6;
  std::copy(bytes.begin(), bytes.end(), v6.begin());
  return boost::asio::ip::address_v6(v6);
}

inline IpAddress fromAsio(boost::asio::ip::address address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
  }
  if (address.is_v4()) {
    const auto v4 = address.to_v4().to_bytes();
    return IpAddress::fromV4({v4[0], v4[1], v4[2], v4[3]});
  }
  std::array<std::uint8_t, 16> v6{};
  const auto bytes = address.to_v6().to_bytes();
  std::copy(bytes.begin(), bytes.end(), v6.begin());
  return IpAddress::fromV6(v6);
}

}  // namespace vipd::bgp
