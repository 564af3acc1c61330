#include "monitor/icmp_packet.h"

namespace vipd::monitor {

namespace {

constexpr std::uint8_t kEchoRequestV4 = 8;
constexpr std::uint8_t kEchoReplyV4 = 0;
constexpr std::uint8_t kEchoRequestV6 = 128;
constexpr std::uint8_t kEchoReplyV6 = 129;
constexpr std::size_t kEchoHeader = 8;

}  // namespace

std::uint16_t internetChecksum(std::span<const std::uint8_t> data) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < data.size(); i += 2) {
    sum += static_cast<std::uint32_t>((data[i] << 8) | data[i + 1]);
  }
  if (data.size() % 2 == 1) {
    sum += static_cast<std::uint32_t>(data.back() << 8);
  }
  while (sum >> 16 != 0) {
    sum = (sum & 0xffff) + (sum >> 16);
  }
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

std::vector<std::uint8_t> encodeIcmpEcho(bool v6, IcmpEcho echo, std::size_t payload_size) {
  std::vector<std::uint8_t> packet(kEchoHeader + payload_size);
  packet[0] = v6 ? kEchoRequestV6 : kEchoRequestV4;
  packet[4] = static_cast<std::uint8_t>(echo.identifier >> 8);
  packet[5] = static_cast<std::uint8_t>(echo.identifier & 0xff);
  packet[6] = static_cast<std::uint8_t>(echo.sequence >> 8);
  packet[7] = static_cast<std::uint8_t>(echo.sequence & 0xff);
  for (std::size_t i = 0; i < payload_size; ++i) {
    packet[kEchoHeader + i] = static_cast<std::uint8_t>(i & 0xff);
  }
  if (!v6) {
    const std::uint16_t checksum = internetChecksum(packet);
    packet[2] = static_cast<std::uint8_t>(checksum >> 8);
    packet[3] = static_cast<std::uint8_t>(checksum & 0xff);
  }
  return packet;
}

std::optional<IcmpEcho> parseIcmpEchoReply(bool v6, bool ip_header,
                                           std::span<const std::uint8_t> packet) {
  if (ip_header) {
    if (packet.empty() || (packet[0] >> 4) != 4) {
      return std::nullopt;
    }
    const std::size_t header = static_cast<std::size_t>(packet[0] & 0x0f) * 4;
    if (header < 20 || packet.size() < header) {
      return std::nullopt;
    }
    packet = packet.subspan(header);
  }
  if (packet.size() < kEchoHeader || packet[0] != (v6 ? kEchoReplyV6 : kEchoReplyV4) ||
      packet[1] != 0) {
    return std::nullopt;
  }
  return IcmpEcho{static_cast<std::uint16_t>((packet[4] << 8) | packet[5]),
                  static_cast<std::uint16_t>((packet[6] << 8) | packet[7])};
}

}  // namespace vipd::monitor
