// Messages captured from a real BIRD 2 and ExaBGP 4.2 (vectors/README.md says how),
// decoded and checked.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "bgp/codec.h"
#include "hex.h"

namespace vipd::bgp {
namespace {

struct Captured {
  std::string note;  // the comment line before it
  std::vector<std::uint8_t> bytes;
};

std::vector<Captured> load(const std::string& name) {
  std::ifstream file(std::string(VIPD_BGP_VECTORS) + "/" + name);
  EXPECT_TRUE(file.good()) << name;
  std::vector<Captured> messages;
  std::string line;
  std::string note;
  while (std::getline(file, line)) {
    if (line.starts_with("#")) {
      note = line;
    } else if (!line.empty()) {
      messages.push_back({note, testing::hex(line)});
    }
  }
  return messages;
}

CodecContext birdContext(bool four_octet) {
  CodecContext context;
  context.four_octet_as = four_octet;
  context.ipv6_unicast = true;
  return context;
}

std::vector<Message> decodeAll(const std::vector<Captured>& captured, const CodecContext& context) {
  std::vector<Message> messages;
  for (const Captured& message : captured) {
    auto decoded = decode(message.bytes, context);
    EXPECT_TRUE(decoded.has_value()) << message.note << ": " << decoded.error().toString();
    if (decoded) {
      messages.push_back(std::move(*decoded));
    }
  }
  return messages;
}

PathAttributes birdAttributes(std::uint32_t local_as) {
  PathAttributes attributes;
  attributes.origin = Origin::Igp;
  attributes.as_path = AsPath::sequence({local_as});
  attributes.multi_exit_disc = 100;
  attributes.communities = {Community::of(64512, 100), kGracefulShutdown};
  attributes.large_communities = {{4200000001, 1, 1}};
  return attributes;
}

std::vector<Prefix> prefixes(std::initializer_list<const char*> texts) {
  std::vector<Prefix> result;
  for (const char* text : texts) {
    result.push_back(*Prefix::parse(text));
  }
  return result;
}

class BirdSession : public ::testing::TestWithParam<bool> {
 protected:
  bool fourOctet() const { return GetParam(); }
  std::uint32_t birdAs() const { return fourOctet() ? 65000 : 4200000001; }
  std::vector<Captured> captured() const {
    return load(fourOctet() ? "bird-four-octet.hex" : "bird-two-octet.hex");
  }
  std::vector<Message> messages() const { return decodeAll(captured(), birdContext(fourOctet())); }
};

TEST_P(BirdSession, DecodesTheOpenAndItsCapabilities) {
  const auto all = messages();
  ASSERT_FALSE(all.empty());
  const Open& open = std::get<Open>(all[0]);
  EXPECT_EQ(open.version, 4);
  EXPECT_EQ(open.my_as, fourOctet() ? 65000 : kAsTrans);
  EXPECT_EQ(open.asNumber(), birdAs());
  EXPECT_EQ(open.hold_time, 9);
  EXPECT_EQ(open.bgp_identifier, 0x0AFF0001u);  // 10.255.0.1

  const auto& caps = open.capabilities;
  ASSERT_EQ(caps.size(), 9u);
  EXPECT_EQ(caps[0], Capability(MultiprotocolCapability{kIpv4Unicast}));
  EXPECT_EQ(caps[1], Capability(MultiprotocolCapability{kIpv6Unicast}));
  EXPECT_EQ(caps[2], Capability(RouteRefreshCapability{}));
  EXPECT_EQ(caps[3], Capability(ExtendedMessageCapability{}));
  GracefulRestartCapability restart;
  restart.restart_time = 120;
  restart.families = {{kIpv4Unicast, false}, {kIpv6Unicast, false}};
  EXPECT_EQ(caps[4], Capability(restart));
  EXPECT_EQ(caps[5], Capability(FourOctetAsCapability{birdAs()}));
  EXPECT_EQ(caps[6], Capability(EnhancedRouteRefreshCapability{}));
  EXPECT_EQ(capabilityCode(caps[7]), 71);  // long-lived graceful restart, kept raw
  EXPECT_EQ(caps[8], Capability(UnknownCapability{73, testing::hex("02 766d 00")}));  // "vm"
}

TEST_P(BirdSession, DecodesTheIpv4Routes) {
  const auto all = messages();
  ASSERT_GE(all.size(), 3u);
  const Update& update = std::get<Update>(all[1]);
  PathAttributes expected = birdAttributes(birdAs());
  expected.next_hop = IpAddress::parse("127.0.0.1");
  EXPECT_EQ(update.attributes, expected);
  EXPECT_EQ(update.nlri, prefixes({"198.18.0.2/32", "198.18.1.0/24", "198.18.0.1/32"}));
  EXPECT_TRUE(update.withdrawn.empty());
  EXPECT_EQ(std::get<Update>(all[2]).endOfRibFamily(), Afi::Ipv4);
}

TEST_P(BirdSession, DecodesTheIpv6RoutesInMpReach) {
  const auto all = messages();
  ASSERT_GE(all.size(), 5u);
  const Update& update = std::get<Update>(all[3]);
  PathAttributes expected = birdAttributes(birdAs());
  expected.mp_reach = MpReach{Afi::Ipv6, Safi::Unicast, *IpAddress::parse("2001:db8::ffff"),
                              std::nullopt, prefixes({"2001:db8:1::/48", "2001:db8::1/128"})};
  EXPECT_EQ(update.attributes, expected);
  EXPECT_TRUE(update.nlri.empty());
  EXPECT_EQ(std::get<Update>(all[4]).endOfRibFamily(), Afi::Ipv6);
}

TEST_P(BirdSession, DecodesEnhancedRouteRefresh) {
  const auto all = messages();
  ASSERT_GE(all.size(), 9u);
  using Subtype = RouteRefresh::Subtype;
  EXPECT_EQ(std::get<RouteRefresh>(all[5]),
            RouteRefresh::of(kIpv4Unicast, Subtype::BeginningOfRib));
  EXPECT_EQ(std::get<Update>(all[6]), std::get<Update>(all[1]));  // the routes again
  EXPECT_EQ(std::get<RouteRefresh>(all[7]), RouteRefresh::of(kIpv4Unicast, Subtype::EndOfRib));
  EXPECT_EQ(std::get<RouteRefresh>(all[8]), RouteRefresh::of(kIpv4Unicast, Subtype::Normal));
}

TEST_P(BirdSession, DecodesWithdrawalsOfBothFamilies) {
  const auto all = messages();
  ASSERT_GE(all.size(), 11u);
  const Update& ipv4 = std::get<Update>(all[9]);
  EXPECT_EQ(ipv4.withdrawn, prefixes({"198.18.0.2/32", "198.18.1.0/24", "198.18.0.1/32"}));
  EXPECT_EQ(ipv4.attributes, PathAttributes{});
  const Update& ipv6 = std::get<Update>(all[10]);
  ASSERT_TRUE(ipv6.attributes.mp_unreach.has_value());
  EXPECT_EQ(ipv6.attributes.mp_unreach->withdrawn,
            prefixes({"2001:db8:1::/48", "2001:db8::1/128"}));
}

TEST_P(BirdSession, DecodesTheShutdownCommunication) {
  const auto all = messages();
  ASSERT_EQ(all.size(), 12u);
  const Notification& notification = std::get<Notification>(all[11]);
  EXPECT_EQ(notification.name(), "cease/administrative-shutdown");
  EXPECT_EQ(notification.shutdownCommunication(), "vipd vector capture: maintenance");
}

TEST_P(BirdSession, ReEncodesWhatItDecoded) {
  const CodecContext context = birdContext(fourOctet());
  const auto captured_messages = captured();
  const auto all = messages();
  ASSERT_EQ(all.size(), captured_messages.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto bytes = encode(all[i], context);
    ASSERT_TRUE(bytes.has_value()) << captured_messages[i].note;
    EXPECT_EQ(decode(*bytes, context), all[i]) << captured_messages[i].note;

    // Byte for byte too, except that BIRD sets the extended length bit on MP attributes that
    // do not need it (flags 0x90) where vipd does not (0x80).
    const auto& original = captured_messages[i].bytes;
    const bool bird_extended_mp = original.size() > 23 && original[23] == 0x90;
    if (!bird_extended_mp) {
      EXPECT_EQ(testing::toHex(*bytes), testing::toHex(original)) << captured_messages[i].note;
    }
  }
}

// ExaBGP 4.2 encodes differently from BIRD and from vipd: one capability per optional
// parameter, MP_REACH_NLRI after the other attributes, an extended length on a 3-octet
// MP_UNREACH_NLRI.
TEST(ExabgpSession, DecodesItsOpenRoutesAndEndOfRibMarkers) {
  const auto captured = load("exabgp.hex");
  const auto all = decodeAll(captured, birdContext(true));
  ASSERT_EQ(all.size(), 6u);

  const Open& open = std::get<Open>(all[0]);
  EXPECT_EQ(open.asNumber(), 65000u);
  EXPECT_EQ(open.bgp_identifier, 0x0AFF0003u);
  GracefulRestartCapability restart;
  restart.restarted = true;
  restart.restart_time = 120;
  restart.families = {{kIpv4Unicast, true}, {kIpv6Unicast, true}};
  EXPECT_EQ(open.capabilities,
            (std::vector<Capability>{
                MultiprotocolCapability{kIpv4Unicast}, MultiprotocolCapability{kIpv6Unicast},
                FourOctetAsCapability{65000}, restart, RouteRefreshCapability{},
                EnhancedRouteRefreshCapability{}, ExtendedMessageCapability{}}));

  PathAttributes first;
  first.origin = Origin::Egp;
  first.as_path = AsPath::sequence({65000, 65001, 4200000001});
  first.next_hop = IpAddress::parse("127.0.0.1");
  first.multi_exit_disc = 50;
  first.communities = {Community::of(64512, 200), kNoExport};
  first.large_communities = {{4200000001, 2, 2}};
  EXPECT_EQ(std::get<Update>(all[1]).attributes, first);
  EXPECT_EQ(std::get<Update>(all[1]).nlri, prefixes({"198.18.10.0/24"}));

  const PathAttributes& second = std::get<Update>(all[2]).attributes;
  EXPECT_TRUE(second.atomic_aggregate);
  EXPECT_EQ(second.aggregator, (Aggregator{65000, *IpAddress::parse("10.255.0.3")}));
  EXPECT_EQ(second.unknown,
            (std::vector<RawAttribute>{{kFlagOptional | kFlagTransitive, 99, {0xAB, 0xCD}}}));

  const PathAttributes& third = std::get<Update>(all[3]).attributes;
  EXPECT_EQ(third.communities, std::vector{kGracefulShutdown});
  ASSERT_TRUE(third.mp_reach.has_value());
  EXPECT_EQ(third.mp_reach->next_hop.toString(), "2001:db8::ffff");
  EXPECT_EQ(third.mp_reach->nlri, prefixes({"2001:db8:10::/48"}));

  EXPECT_EQ(std::get<Update>(all[4]).endOfRibFamily(), Afi::Ipv4);
  EXPECT_EQ(std::get<Update>(all[5]).endOfRibFamily(), Afi::Ipv6);

  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto bytes = encode(all[i], birdContext(true));
    ASSERT_TRUE(bytes.has_value()) << captured[i].note;
    EXPECT_EQ(decode(*bytes, birdContext(true)), all[i]) << captured[i].note;
  }
}

INSTANTIATE_TEST_SUITE_P(FourAndTwoOctet, BirdSession, ::testing::Bool(),
                         [](const auto& param_info) {
                           return param_info.param ? "FourOctet" : "TwoOctet";
                         });

}  // namespace
}  // namespace vipd::bgp
