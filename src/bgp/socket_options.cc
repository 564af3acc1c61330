#include "bgp/socket_options.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace vipd::bgp {
namespace {

std::expected<void, std::string> setInt(int fd, int level, int name, int value,
                                        std::string_view what) {
  if (::setsockopt(fd, level, name, &value, sizeof value) != 0) {
    return std::unexpected(std::string(what) + ": " + std::strerror(errno));
  }
  return {};
}

// The peer as the kernel compares it: v4-mapped on an IPv6 socket.
sockaddr_storage peerAddress(bool socket_v6, const IpAddress& peer) {
  sockaddr_storage storage{};
  const auto& bytes = peer.bytes();
  if (peer.isV4() && !socket_v6) {
    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    std::memcpy(&v4.sin_addr, bytes.data(), 4);
    std::memcpy(&storage, &v4, sizeof v4);
    return storage;
  }
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  if (peer.isV4()) {
    v6.sin6_addr.s6_addr[10] = 0xFF;
    v6.sin6_addr.s6_addr[11] = 0xFF;
    std::memcpy(&v6.sin6_addr.s6_addr[12], bytes.data(), 4);
  } else {
    std::memcpy(&v6.sin6_addr, bytes.data(), 16);
  }
  std::memcpy(&storage, &v6, sizeof v6);
  return storage;
}

}  // namespace

std::expected<void, std::string> setMd5Key(int fd, bool socket_v6, const IpAddress& peer,
                                           std::string_view password) {
  if (password.size() > kMaxMd5KeyLength) {
    return std::unexpected("md5 password longer than 80 octets");
  }
  tcp_md5sig key{};
  key.tcpm_addr = peerAddress(socket_v6, peer);
  key.tcpm_keylen = static_cast<std::uint16_t>(password.size());
  std::memcpy(key.tcpm_key, password.data(), password.size());
  if (::setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &key, sizeof key) != 0) {
    return std::unexpected(std::string("TCP_MD5SIG: ") + std::strerror(errno));
  }
  return {};
}

std::expected<void, std::string> setTtl(int fd, bool socket_v6, std::uint8_t ttl) {
  if (socket_v6) {
    if (auto set = setInt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl, "IPV6_UNICAST_HOPS"); !set) {
      return set;
    }
  }
  // An IPv6 socket may carry IPv4 (v4-mapped); the IPv4 option may then fail harmlessly.
  auto set = setInt(fd, IPPROTO_IP, IP_TTL, ttl, "IP_TTL");
  return socket_v6 ? std::expected<void, std::string>{} : set;
}

std::expected<void, std::string> setTtlSecurity(int fd, bool socket_v6, std::uint8_t hops) {
  if (auto set = setTtl(fd, socket_v6, 255); !set) {
    return set;
  }
  // RFC 5082 3: accept only what left its sender with 255 and crossed at most `hops` routers
  // less one (a direct neighbour arrives with 255).
  const int minimum = 256 - static_cast<int>(hops);
  if (socket_v6) {
    if (auto set = setInt(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, minimum, "IPV6_MINHOPCOUNT"); !set) {
      return set;
    }
  }
  auto set = setInt(fd, IPPROTO_IP, IP_MINTTL, minimum, "IP_MINTTL");
  return socket_v6 ? std::expected<void, std::string>{} : set;
}

}  // namespace vipd::bgp
