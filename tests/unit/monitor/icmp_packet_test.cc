#include "monitor/icmp_packet.h"

#include <gtest/gtest.h>

#include <vector>

namespace vipd::monitor {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(InternetChecksum, MatchesKnownValues) {
  struct Case {
    Bytes data;
    std::uint16_t checksum;
  };
  // RFC 1071's example words 0001 f203 f4f5 f6f7 sum to ddf2, whose complement is 220d.
  const std::vector<Case> cases = {
      {{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}, 0x220d},
      {{}, 0xffff},
      {{0x01}, 0xfeff},
      {{0xff, 0xff}, 0x0000},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(internetChecksum(c.data), c.checksum);
  }
}

TEST(IcmpEcho, EncodesARequestWhoseChecksumVerifies) {
  const Bytes request = encodeIcmpEcho(false, {0x1234, 7}, 56);
  ASSERT_EQ(request.size(), 64U);
  EXPECT_EQ(request[0], 8);
  EXPECT_EQ(request[1], 0);
  EXPECT_EQ(request[4], 0x12);
  EXPECT_EQ(request[5], 0x34);
  EXPECT_EQ(request[7], 7);
  EXPECT_EQ(internetChecksum(request), 0);

  const Bytes v6 = encodeIcmpEcho(true, {1, 2}, 0);
  ASSERT_EQ(v6.size(), 8U);
  EXPECT_EQ(v6[0], 128);
}

TEST(IcmpEcho, ParsesOnlyEchoReplies) {
  struct Case {
    std::string name;
    bool v6;
    bool ip_header;
    Bytes packet;
    bool parsed;
  };
  const Bytes v4_header = {0x45, 0, 0, 28, 0, 0, 0, 0, 64, 1, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1};
  const Bytes reply = {0, 0, 0, 0, 0x12, 0x34, 0, 7};
  Bytes with_header = v4_header;
  with_header.insert(with_header.end(), reply.begin(), reply.end());
  const std::vector<Case> cases = {
      {"v4 reply", false, false, reply, true},
      {"v4 reply behind an ip header", false, true, with_header, true},
      {"v4 request", false, false, {8, 0, 0, 0, 0x12, 0x34, 0, 7}, false},
      {"v4 unreachable", false, false, {3, 3, 0, 0, 0x12, 0x34, 0, 7}, false},
      {"v6 reply", true, false, {129, 0, 0, 0, 0x12, 0x34, 0, 7}, true},
      {"v6 request", true, false, {128, 0, 0, 0, 0x12, 0x34, 0, 7}, false},
      {"cut", false, false, {0, 0, 0, 0, 0x12}, false},
      {"ip header longer than the packet", false, true, {0x4f, 0, 0, 0}, false},
      {"not ipv4", false, true, {0x60, 0, 0, 0}, false},
  };
  for (const Case& c : cases) {
    const auto echo = parseIcmpEchoReply(c.v6, c.ip_header, c.packet);
    EXPECT_EQ(echo.has_value(), c.parsed) << c.name;
    if (echo) {
      EXPECT_EQ(echo->identifier, 0x1234) << c.name;
      EXPECT_EQ(echo->sequence, 7) << c.name;
    }
  }
}

}  // namespace
}  // namespace vipd::monitor
