// Socket options of a BGP connection, on a plain file descriptor (no Asio here):
//   - TCP MD5 signatures (RFC 2385) with TCP_MD5SIG: one key per peer address, set on the
//     connecting socket before connect() and on the listening socket for each peer;
//   - TTL: the TTL or hop limit outgoing packets start with;
//   - TTL security (RFC 5082, GTSM): send with 255 and drop what arrives with less than
//     256 - hops (IP_MINTTL, IPV6_MINHOPCOUNT).
// An IPv6 socket carrying IPv4 (a v4-mapped peer on a dual-stack listener) gets both the
// IPv4 and the IPv6 options.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "common/ip_address.h"

namespace vipd::bgp {

// The longest key TCP_MD5SIG takes (TCP_MD5SIG_MAXKEYLEN).
inline constexpr std::size_t kMaxMd5KeyLength = 80;

// Sets (or, with an empty password, removes) the MD5 key for peer on fd. socket_v6 says
// whether fd is an AF_INET6 socket, so that an IPv4 peer is given as v4-mapped.
std::expected<void, std::string> setMd5Key(int fd, bool socket_v6, const IpAddress& peer,
                                           std::string_view password);

std::expected<void, std::string> setTtl(int fd, bool socket_v6, std::uint8_t ttl);

// hops: 1 for a directly connected peer. Sets the TTL to 255 too.
std::expected<void, std::string> setTtlSecurity(int fd, bool socket_v6, std::uint8_t hops);

}  // namespace vipd::bgp
