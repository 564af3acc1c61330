#include "bgp/update_packer.h"

#include <gtest/gtest.h>

#include "bgp/codec.h"
#include "bgp/framing.h"
#include "hex.h"

namespace vipd::bgp {
namespace {

CodecContext dualStack(bool extended = false) {
  CodecContext context;
  context.four_octet_as = true;
  context.ipv6_unicast = true;
  context.extended_messages = extended;
  return context;
}

PathAttributes vipAttributes() {
  PathAttributes attributes;
  attributes.origin = Origin::Igp;
  attributes.as_path = AsPath::sequence({64512});
  attributes.next_hop = IpAddress::parse("192.0.2.1");
  attributes.multi_exit_disc = 100;
  attributes.communities = {Community::of(64512, 100)};
  attributes.large_communities = {{64512, 1, 1}};
  attributes.mp_reach =
      MpReach{Afi::Ipv6, Safi::Unicast, *IpAddress::parse("2001:db8::1"), std::nullopt, {}};
  return attributes;
}

std::vector<Prefix> ipv4Hosts(std::size_t count) {
  std::vector<Prefix> prefixes;
  prefixes.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const auto n = static_cast<std::uint32_t>(i);
    prefixes.push_back(Prefix::host(
        IpAddress::fromV4({198, static_cast<std::uint8_t>(18 + (n >> 16)),
                           static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)})));
  }
  return prefixes;
}

std::vector<Prefix> ipv6Hosts(std::size_t count) {
  std::vector<Prefix> prefixes;
  for (std::size_t i = 0; i < count; ++i) {
    std::array<std::uint8_t, 16> bytes = {0x20, 0x01, 0x0d, 0xb8};
    bytes[14] = static_cast<std::uint8_t>(i >> 8);
    bytes[15] = static_cast<std::uint8_t>(i);
    prefixes.push_back(Prefix::host(IpAddress::fromV6(bytes)));
  }
  return prefixes;
}

// Every UPDATE in a stream of messages, each checked to decode and to fit.
std::vector<Update> split(const std::vector<std::uint8_t>& stream, const CodecContext& context) {
  std::vector<Update> updates;
  std::span<const std::uint8_t> rest(stream);
  while (!rest.empty()) {
    const auto size = nextMessageSize(rest, context);
    EXPECT_TRUE(size.has_value());
    if (!size || *size > rest.size()) {
      ADD_FAILURE() << "truncated stream";
      break;
    }
    EXPECT_LE(*size, context.maxMessageSize());
    const auto decoded = decode(rest.first(*size), context);
    if (!decoded) {
      ADD_FAILURE() << decoded.error().toString();
      break;
    }
    updates.push_back(std::get<Update>(*decoded));
    rest = rest.subspan(*size);
  }
  return updates;
}

TEST(UpdatePacker, PacksAHundredThousandHostsIntoFullMessages) {
  const CodecContext context = dualStack();
  const std::vector<Prefix> prefixes = ipv4Hosts(100'000);
  std::vector<std::uint8_t> out;
  UpdatePacker packer(context, out);
  ASSERT_TRUE(packer.announce(vipAttributes(), prefixes).has_value());

  const std::vector<Update> updates = split(out, context);
  ASSERT_EQ(updates.size(), packer.messages());
  std::vector<Prefix> announced;
  PathAttributes expected = vipAttributes();
  expected.mp_reach.reset();
  for (const Update& update : updates) {
    EXPECT_EQ(update.attributes, expected);
    announced.insert(announced.end(), update.nlri.begin(), update.nlri.end());
  }
  EXPECT_EQ(announced, prefixes);

  // Full: every message but the last has no room for one more /32 (5 octets).
  std::span<const std::uint8_t> rest(out);
  for (std::size_t i = 0; i + 1 < updates.size(); ++i) {
    const std::size_t size = *nextMessageSize(rest, context);
    EXPECT_GT(size + 5, kMaxMessageSize);
    rest = rest.subspan(size);
  }
}

TEST(UpdatePacker, PutsIpv6InMpReachWithoutNextHop) {
  const CodecContext context = dualStack();
  const std::vector<Prefix> prefixes = ipv6Hosts(1000);
  std::vector<std::uint8_t> out;
  UpdatePacker packer(context, out);
  PathAttributes attributes = vipAttributes();
  attributes.mp_reach->link_local = IpAddress::parse("fe80::1");
  ASSERT_TRUE(packer.announce(attributes, prefixes).has_value());

  std::vector<Prefix> announced;
  for (const Update& update : split(out, context)) {
    ASSERT_TRUE(update.attributes.mp_reach.has_value());
    EXPECT_FALSE(update.attributes.next_hop.has_value());
    EXPECT_TRUE(update.nlri.empty());
    EXPECT_EQ(update.attributes.mp_reach->next_hop.toString(), "2001:db8::1");
    EXPECT_EQ(update.attributes.mp_reach->link_local->toString(), "fe80::1");
    EXPECT_EQ(update.attributes.communities, attributes.communities);
    const auto& nlri = update.attributes.mp_reach->nlri;
    announced.insert(announced.end(), nlri.begin(), nlri.end());
  }
  EXPECT_EQ(announced, prefixes);
  EXPECT_EQ(packer.messages(), 5u);  // 17 octets a /128, about 235 per message
}

TEST(UpdatePacker, SplitsAMixedAnnouncementByFamily) {
  std::vector<Prefix> prefixes = ipv4Hosts(3);
  const auto ipv6 = ipv6Hosts(2);
  prefixes.insert(prefixes.begin() + 1, ipv6.begin(), ipv6.end());
  std::vector<std::uint8_t> out;
  UpdatePacker packer(dualStack(), out);
  ASSERT_TRUE(packer.announce(vipAttributes(), prefixes).has_value());
  const auto updates = split(out, dualStack());
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(updates[0].nlri, ipv4Hosts(3));
  EXPECT_EQ(updates[1].attributes.mp_reach->nlri, ipv6);
}

TEST(UpdatePacker, WithdrawsBothFamiliesInAsFewMessagesAsFit) {
  std::vector<Prefix> prefixes = ipv4Hosts(2000);
  const auto ipv6 = ipv6Hosts(300);
  prefixes.insert(prefixes.end(), ipv6.begin(), ipv6.end());
  std::vector<std::uint8_t> out;
  UpdatePacker packer(dualStack(), out);
  packer.withdraw(prefixes);

  std::vector<Prefix> withdrawn;
  for (const Update& update : split(out, dualStack())) {
    withdrawn.insert(withdrawn.end(), update.withdrawn.begin(), update.withdrawn.end());
    if (update.attributes.mp_unreach) {
      const auto& more = update.attributes.mp_unreach->withdrawn;
      withdrawn.insert(withdrawn.end(), more.begin(), more.end());
    }
  }
  EXPECT_EQ(withdrawn, prefixes);
  EXPECT_EQ(packer.messages(), 3u + 2u);  // 10000 octets of IPv4, 5100 of IPv6
}

TEST(UpdatePacker, FillsExtendedMessages) {
  const CodecContext context = dualStack(true);
  std::vector<std::uint8_t> out;
  UpdatePacker packer(context, out);
  ASSERT_TRUE(packer.announce(vipAttributes(), ipv4Hosts(100'000)).has_value());
  EXPECT_EQ(packer.messages(), 8u);  // 500000 octets of NLRI, about 65480 a message
  EXPECT_EQ(split(out, context).size(), 8u);
}

TEST(UpdatePacker, WritesEndOfRibMarkers) {
  std::vector<std::uint8_t> out;
  UpdatePacker packer(dualStack(), out);
  packer.endOfRib(Afi::Ipv4);
  packer.endOfRib(Afi::Ipv6);
  const auto updates = split(out, dualStack());
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(updates[0].endOfRibFamily(), Afi::Ipv4);
  EXPECT_EQ(updates[1].endOfRibFamily(), Afi::Ipv6);
}

TEST(UpdatePacker, RefusesWhatCannotBeAnnouncedAndAppendsNothing) {
  const struct {
    const char* name;
    PathAttributes attributes;
    std::vector<Prefix> prefixes;
    CodecContext context;
  } cases[] = {
      {"no origin",
       [] {
         auto a = vipAttributes();
         a.origin.reset();
         return a;
       }(),
       ipv4Hosts(1), dualStack()},
      {"no as-path",
       [] {
         auto a = vipAttributes();
         a.as_path.reset();
         return a;
       }(),
       ipv4Hosts(1), dualStack()},
      {"ipv4 without next-hop",
       [] {
         auto a = vipAttributes();
         a.next_hop.reset();
         return a;
       }(),
       ipv4Hosts(1), dualStack()},
      {"ipv6 without mp-reach",
       [] {
         auto a = vipAttributes();
         a.mp_reach.reset();
         return a;
       }(),
       ipv6Hosts(1), dualStack()},
      {"ipv6 not negotiated", vipAttributes(), ipv6Hosts(1), CodecContext{}},
      {"attributes fill the message",
       [] {
         auto a = vipAttributes();
         a.communities.assign(1100, kNoExport);
         return a;
       }(),
       ipv4Hosts(1), dualStack()},
  };
  for (const auto& c : cases) {
    std::vector<std::uint8_t> out = {0xAA};
    UpdatePacker packer(c.context, out);
    EXPECT_FALSE(packer.announce(c.attributes, c.prefixes).has_value()) << c.name;
    EXPECT_EQ(out.size(), 1u) << c.name;
  }
}

TEST(UpdatePacker, EncodesUpdatesForSeveralAttributeSets) {
  PathAttributes other = vipAttributes();
  other.multi_exit_disc = 200;
  const std::vector<Announcement> announcements = {
      {vipAttributes(), ipv4Hosts(10)},
      {other, ipv6Hosts(10)},
  };
  std::vector<std::uint8_t> out;
  const auto count = encodeUpdates(announcements, ipv4Hosts(2), dualStack(), out);
  ASSERT_TRUE(count.has_value());
  EXPECT_EQ(*count, 3u);
  const auto updates = split(out, dualStack());
  EXPECT_EQ(updates[0].withdrawn, ipv4Hosts(2));
  EXPECT_EQ(updates[1].attributes.multi_exit_disc, 100u);
  EXPECT_EQ(updates[2].attributes.multi_exit_disc, 200u);

  const std::vector<Announcement> bad = {{PathAttributes{}, ipv4Hosts(1)}};
  out.assign(3, 0);
  EXPECT_FALSE(encodeUpdates(bad, ipv4Hosts(5), dualStack(), out).has_value());
  EXPECT_EQ(out.size(), 3u);
}

TEST(UpdatePacker, WritesAs4PathForATwoOctetPeer) {
  CodecContext context;
  PathAttributes attributes = vipAttributes();
  attributes.as_path = AsPath::sequence({4200000001});
  std::vector<std::uint8_t> out;
  UpdatePacker packer(context, out);
  ASSERT_TRUE(packer.announce(attributes, ipv4Hosts(3)).has_value());
  const auto updates = split(out, context);
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].attributes.as_path, attributes.as_path);
}

}  // namespace
}  // namespace vipd::bgp
