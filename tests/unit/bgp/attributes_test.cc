#include "bgp/attributes.h"

#include <gtest/gtest.h>

#include "bgp/codec.h"
#include "hex.h"

namespace vipd::bgp {
namespace {

using testing::toHex;

PathAttributes mandatory() {
  PathAttributes attributes;
  attributes.origin = Origin::Egp;
  attributes.as_path = AsPath::sequence({64512});
  attributes.next_hop = IpAddress::parse("192.0.2.1");
  return attributes;
}

struct RoundTrip {
  const char* name;
  PathAttributes attributes;
};

std::vector<RoundTrip> roundTrips() {
  std::vector<RoundTrip> cases;
  const auto add = [&cases](const char* name, auto change) {
    PathAttributes attributes = mandatory();
    change(attributes);
    cases.push_back({name, std::move(attributes)});
  };
  add("origin incomplete", [](PathAttributes& a) { a.origin = Origin::Incomplete; });
  add("as-path with a set and a confederation", [](PathAttributes& a) {
    a.as_path = AsPath({{SegmentType::ConfedSequence, {64600}},
                        {SegmentType::AsSequence, {64512, 4200000001}},
                        {SegmentType::AsSet, {1, 2}}});
  });
  add("empty as-path", [](PathAttributes& a) { a.as_path = AsPath(); });
  add("multi-exit-disc", [](PathAttributes& a) { a.multi_exit_disc = 0xFFFFFFFF; });
  add("local-pref", [](PathAttributes& a) { a.local_pref = 0; });
  add("atomic-aggregate", [](PathAttributes& a) { a.atomic_aggregate = true; });
  add("aggregator", [](PathAttributes& a) {
    a.aggregator = Aggregator{64512, *IpAddress::parse("192.0.2.9")};
  });
  add("four-octet aggregator", [](PathAttributes& a) {
    a.aggregator = Aggregator{4200000001, *IpAddress::parse("192.0.2.9")};
  });
  add("aggregator and a four-octet path", [](PathAttributes& a) {
    a.as_path = AsPath::sequence({4200000001});
    a.aggregator = Aggregator{64512, *IpAddress::parse("192.0.2.9")};
  });
  add("communities", [](PathAttributes& a) {
    a.communities = {kNoExport, kGracefulShutdown, Community::of(64512, 1)};
  });
  add("many communities (extended length)",
      [](PathAttributes& a) { a.communities.assign(100, Community::of(1, 2)); });
  add("large communities", [](PathAttributes& a) {
    a.large_communities = {{4200000001, 1, 1}, {64512, 0, 0xFFFFFFFF}};
  });
  add("unknown transitive attributes", [](PathAttributes& a) {
    a.unknown = {
        RawAttribute{kFlagOptional | kFlagTransitive | kFlagPartial, 16, {}},
        RawAttribute{kFlagOptional | kFlagTransitive, 99, std::vector<std::uint8_t>(300, 7)},
        RawAttribute{kFlagOptional | kFlagTransitive, 200, {1, 2, 3}}};
  });
  add("ipv6 mp-reach", [](PathAttributes& a) {
    a.next_hop.reset();
    a.mp_reach = MpReach{Afi::Ipv6,
                         Safi::Unicast,
                         *IpAddress::parse("2001:db8::1"),
                         IpAddress::parse("fe80::1"),
                         {*Prefix::parse("2001:db8:5::/48")}};
  });
  add("ipv4 mp-reach", [](PathAttributes& a) {
    a.mp_reach = MpReach{Afi::Ipv4,
                         Safi::Unicast,
                         *IpAddress::parse("192.0.2.7"),
                         std::nullopt,
                         {*Prefix::parse("198.18.0.0/16")}};
  });
  add("ipv6 mp-unreach", [](PathAttributes& a) {
    a.mp_unreach = MpUnreach{Afi::Ipv6, Safi::Unicast, {*Prefix::parse("2001:db8::/32")}};
  });
  return cases;
}

TEST(Attributes, RoundTripsEachAttributeForTwoAndFourOctetPeers) {
  for (const bool four_octet : {false, true}) {
    for (const bool extended : {false, true}) {
      CodecContext context;
      context.four_octet_as = four_octet;
      context.extended_messages = extended;
      context.ipv6_unicast = true;
      for (const RoundTrip& c : roundTrips()) {
        Update update;
        update.attributes = c.attributes;
        if (c.attributes.next_hop) {
          update.nlri = {*Prefix::parse("198.18.0.1/32")};
        }
        const auto bytes = encode(update, context);
        ASSERT_TRUE(bytes.has_value()) << c.name;
        const auto decoded = decode(*bytes, context);
        ASSERT_TRUE(decoded.has_value()) << c.name << ": " << decoded.error().toString();
        EXPECT_EQ(std::get<Update>(*decoded), update) << c.name << " four_octet=" << four_octet;
      }
    }
  }
}

std::string encoded(const PathAttributes& attributes, const CodecContext& context,
                    MpAttributes mp = MpAttributes::Include) {
  std::vector<std::uint8_t> out;
  ByteWriter writer(out);
  encodeAttributes(attributes, context, writer, mp);
  return toHex(out);
}

TEST(Attributes, PutsMpAttributesFirstAndTheRestByTypeCode) {
  PathAttributes attributes;
  attributes.origin = Origin::Igp;
  attributes.unknown = {RawAttribute{kFlagOptional | kFlagTransitive, 33, {}},
                        RawAttribute{kFlagOptional | kFlagTransitive, 2, {}}};
  attributes.mp_unreach = MpUnreach{Afi::Ipv6, Safi::Unicast, {}};
  attributes.communities = {kNoExport};
  CodecContext context;
  context.four_octet_as = true;
  // MP_UNREACH_NLRI, ORIGIN, the unknown 2 (written among the known by code), COMMUNITIES,
  // the unknown 33.
  EXPECT_EQ(encoded(attributes, context),
            "800f03000201"
            "40010100"
            "c00200"
            "c00804ffffff01"
            "c02100");
  EXPECT_EQ(encoded(attributes, context, MpAttributes::Skip),
            "40010100"
            "c00200"
            "c00804ffffff01"
            "c02100");
}

TEST(Attributes, DecodesUnknownAttributesInTypeOrder) {
  Update update;
  update.attributes.unknown = {RawAttribute{kFlagOptional | kFlagTransitive, 200, {1}},
                               RawAttribute{kFlagOptional | kFlagTransitive, 99, {2}}};
  const auto decoded = decode(*encode(update, {}), {});
  ASSERT_TRUE(decoded.has_value());
  const auto& unknown = std::get<Update>(*decoded).attributes.unknown;
  ASSERT_EQ(unknown.size(), 2u);
  EXPECT_EQ(unknown[0].type, 99);
  EXPECT_EQ(unknown[1].type, 200);
}

TEST(Attributes, ChoosesTheExtendedLengthOnlyWhenNeeded) {
  std::vector<std::uint8_t> out;
  ByteWriter writer(out);
  writeAttributeHeader(writer, kFlagOptional | kFlagTransitive, 8, 255);
  writeAttributeHeader(writer, kFlagOptional | kFlagTransitive | kFlagExtendedLength, 8, 4);
  writeAttributeHeader(writer, kFlagOptional | kFlagTransitive, 8, 256);
  EXPECT_EQ(toHex(out),
            "c008ff"
            "c00804"
            "d0080100");
}

TEST(Attributes, SendsAs4AttributesOnlyToTwoOctetPeersThatNeedThem) {
  PathAttributes attributes = mandatory();
  attributes.aggregator = Aggregator{4200000001, *IpAddress::parse("192.0.2.9")};
  CodecContext four_octet;
  four_octet.four_octet_as = true;
  const std::string to_new = encoded(attributes, four_octet);
  EXPECT_EQ(to_new.find("c011"), std::string::npos);
  EXPECT_EQ(to_new.find("c012"), std::string::npos);
  // To an old peer: AGGREGATOR with AS_TRANS, and AS4_AGGREGATOR; the path needs no AS4_PATH.
  const std::string to_old = encoded(attributes, {});
  EXPECT_NE(to_old.find("c007065ba0c0000209"), std::string::npos);
  EXPECT_NE(to_old.find("c01208fa56ea01c0000209"), std::string::npos);
  EXPECT_EQ(to_old.find("c011"), std::string::npos);
}

TEST(Attributes, NamesAttributes) {
  EXPECT_EQ(attributeName(1), "origin");
  EXPECT_EQ(attributeName(14), "mp-reach-nlri");
  EXPECT_EQ(attributeName(32), "large-communities");
  EXPECT_EQ(attributeName(99), "attribute-99");
}

}  // namespace
}  // namespace vipd::bgp
