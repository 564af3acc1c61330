// ICMP echo messages (RFC 792 for IPv4, RFC 4443 section 4 for IPv6): a pure encoder and
// reply parser for the icmp monitor, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace vipd::monitor {

struct IcmpEcho {
  std::uint16_t identifier = 0;
  std::uint16_t sequence = 0;
};

// An echo request with `payload_size` bytes of payload. The IPv4 checksum is filled in; the
// kernel fills in the ICMPv6 one (it covers a pseudo-header only the kernel knows).
std::vector<std::uint8_t> encodeIcmpEcho(bool v6, IcmpEcho echo, std::size_t payload_size);

// The identifier and sequence of an echo reply; nullopt for any other message or a cut one.
// `ip_header`: the packet starts with an IPv4 header (a raw IPv4 socket), skipped by its IHL.
std::optional<IcmpEcho> parseIcmpEchoReply(bool v6, bool ip_header,
                                           std::span<const std::uint8_t> packet);

// The Internet checksum (RFC 1071) of `data`.
std::uint16_t internetChecksum(std::span<const std::uint8_t> data);

}  // namespace vipd::monitor
