#include "bgp/update_codec.h"

#include <gtest/gtest.h>

#include "bgp/codec.h"
#include "hex.h"

namespace vipd::bgp {
namespace {

using testing::hex;
using testing::message;
using testing::toHex;

CodecContext fourOctet() {
  CodecContext context;
  context.four_octet_as = true;
  return context;
}

CodecContext dualStack() {
  CodecContext context = fourOctet();
  context.ipv6_unicast = true;
  return context;
}

std::expected<Message, DecodeError> decodeBody(std::string_view body, const CodecContext& context) {
  return decode(message(MessageType::Update, body), context);
}

Update decodeGood(std::string_view body, const CodecContext& context) {
  const auto decoded = decodeBody(body, context);
  if (!decoded) {
    ADD_FAILURE() << decoded.error().toString();
    return {};
  }
  return std::get<Update>(*decoded);
}

// An IPv4 UPDATE with every attribute, as RFC 4271 4.3 and the attributes' RFCs lay it out.
constexpr const char* kIpv4Update =
    "0004 18 c61201"                             // withdrawn routes length 4: 198.18.1.0/24
    "0057"                                       // total path attribute length 87
    "40 01 01 00"                                // ORIGIN (well-known): IGP
    "40 02 0e 02 03 0000fc00 0000fde8 fa56ea01"  // AS_PATH: sequence 64512 65000 4200000001
    "40 03 04 c0000201"                          // NEXT_HOP 192.0.2.1
    "80 04 04 00000064"                          // MULTI_EXIT_DISC 100 (optional)
    "40 05 04 000000c8"                          // LOCAL_PREF 200
    "40 06 00"                                   // ATOMIC_AGGREGATE
    "c0 07 08 0000fc00 c0000201"                 // AGGREGATOR 64512 192.0.2.1
    "c0 08 08 fc000064 ffff0000"                 // COMMUNITIES 64512:100, GRACEFUL_SHUTDOWN
    "c0 20 0c fa56ea01 00000001 00000002"        // LARGE_COMMUNITY 4200000001:1:2
    "e0 63 02 abcd"                              // type 99, optional transitive partial: unknown
    "20 c6120001"                                // NLRI 198.18.0.1/32
    "18 c61202";                                 // NLRI 198.18.2.0/24

Update expectedIpv4Update() {
  Update update;
  update.withdrawn = {*Prefix::parse("198.18.1.0/24")};
  PathAttributes& a = update.attributes;
  a.origin = Origin::Igp;
  a.as_path = AsPath::sequence({64512, 65000, 4200000001});
  a.next_hop = IpAddress::parse("192.0.2.1");
  a.multi_exit_disc = 100;
  a.local_pref = 200;
  a.atomic_aggregate = true;
  a.aggregator = Aggregator{64512, *IpAddress::parse("192.0.2.1")};
  a.communities = {Community::of(64512, 100), kGracefulShutdown};
  a.large_communities = {LargeCommunity{4200000001, 1, 2}};
  a.unknown = {RawAttribute{kFlagOptional | kFlagTransitive | kFlagPartial, 99, {0xAB, 0xCD}}};
  update.nlri = {*Prefix::parse("198.18.0.1/32"), *Prefix::parse("198.18.2.0/24")};
  return update;
}

TEST(UpdateCodec, DecodesEveryIpv4Attribute) {
  EXPECT_EQ(decodeGood(kIpv4Update, fourOctet()), expectedIpv4Update());
}

TEST(UpdateCodec, EncodesTheSameBytesItDecodes) {
  std::vector<std::uint8_t> out;
  ASSERT_TRUE(encodeUpdate(expectedIpv4Update(), fourOctet(), out).has_value());
  EXPECT_EQ(toHex(out), toHex(message(MessageType::Update, kIpv4Update)));
}

// IPv6 in MP_REACH_NLRI (RFC 4760 3) with a global and a link-local next hop (RFC 2545 3).
constexpr const char* kIpv6Update =
    "0000 004e"
    "80 0e 3d"                             // MP_REACH_NLRI, optional non-transitive, length 61
    "0002 01 20"                           // AFI 2, SAFI 1, next hop length 32
    "20010db8000000000000000000000001"     // 2001:db8::1
    "fe800000000000000000000000000001"     // fe80::1
    "00"                                   // reserved
    "30 20010db80001"                      // 2001:db8:1::/48
    "80 20010db8000000000000000000000005"  // 2001:db8::5/128
    "40 01 01 02"                          // ORIGIN incomplete
    "40 02 00"                             // AS_PATH empty (internal peer)
    "40 05 04 00000064";                   // LOCAL_PREF 100

TEST(UpdateCodec, DecodesIpv6InMpReachWithALinkLocalNextHop) {
  const Update update = decodeGood(kIpv6Update, dualStack());
  ASSERT_TRUE(update.attributes.mp_reach.has_value());
  const MpReach& reach = *update.attributes.mp_reach;
  EXPECT_EQ(reach.afi, Afi::Ipv6);
  EXPECT_EQ(reach.next_hop.toString(), "2001:db8::1");
  EXPECT_EQ(reach.link_local->toString(), "fe80::1");
  EXPECT_EQ(reach.nlri, (std::vector<Prefix>{*Prefix::parse("2001:db8:1::/48"),
                                             *Prefix::parse("2001:db8::5/128")}));
  EXPECT_EQ(update.attributes.origin, Origin::Incomplete);
  EXPECT_TRUE(update.attributes.as_path->empty());
  EXPECT_FALSE(update.attributes.next_hop.has_value());

  std::vector<std::uint8_t> out;
  ASSERT_TRUE(encodeUpdate(update, dualStack(), out).has_value());
  EXPECT_EQ(toHex(out), toHex(message(MessageType::Update, kIpv6Update)));
}

TEST(UpdateCodec, DecodesIpv6WithdrawalsInMpUnreach) {
  // MP_UNREACH_NLRI of length 10: AFI 2, SAFI 1, 2001:db8:1::/48.
  const Update update = decodeGood("0000 000d 80 0f 0a 0002 01 30 20010db80001", dualStack());
  ASSERT_TRUE(update.attributes.mp_unreach.has_value());
  EXPECT_EQ(update.attributes.mp_unreach->withdrawn,
            std::vector<Prefix>{*Prefix::parse("2001:db8:1::/48")});
  EXPECT_EQ(update.endOfRibFamily(), std::nullopt);
}

TEST(UpdateCodec, ReadsAnExtendedLengthOnAnyAttribute) {
  // ORIGIN with the extended length bit: flags 0x50, length 0x0001.
  const Update update =
      decodeGood("0000 000f 50 01 0001 00 40 02 00 40 03 04 c0000201 20 c6120001", fourOctet());
  EXPECT_EQ(update.attributes.origin, Origin::Igp);
}

TEST(UpdateCodec, RecognizesEndOfRibMarkers) {
  EXPECT_EQ(decodeGood("0000 0000", {}).endOfRibFamily(), Afi::Ipv4);
  EXPECT_EQ(decodeGood("0000 0006 80 0f 03 0002 01", dualStack()).endOfRibFamily(), Afi::Ipv6);
  EXPECT_EQ(expectedIpv4Update().endOfRibFamily(), std::nullopt);

  std::vector<std::uint8_t> out;
  ASSERT_TRUE(encodeUpdate(Update::endOfRib(Afi::Ipv4), {}, out).has_value());
  EXPECT_EQ(out, message(MessageType::Update, "0000 0000"));
  out.clear();
  ASSERT_TRUE(encodeUpdate(Update::endOfRib(Afi::Ipv6), dualStack(), out).has_value());
  EXPECT_EQ(out, message(MessageType::Update, "0000 0006 80 0f 03 0002 01"));
}

TEST(UpdateCodec, MergesAs4PathAndAs4AggregatorFromATwoOctetPeer) {
  const Update update = decodeGood(
      "0000 0035"
      "40 01 01 00"
      "40 02 06 02 02 5ba0 fde8"  // AS_PATH: AS_TRANS 65000
      "40 03 04 c0000201"
      "c0 07 06 5ba0 c0000201"            // AGGREGATOR: AS_TRANS
      "c0 11 0a 02 02 fa56ea01 0000fde8"  // AS4_PATH: 4200000001 65000
      "c0 12 08 fa56ea01 c0000201"        // AS4_AGGREGATOR 4200000001
      "20 c6120001",
      CodecContext{});
  EXPECT_EQ(update.attributes.as_path, AsPath::sequence({4200000001, 65000}));
  EXPECT_EQ(update.attributes.aggregator->asn, 4200000001u);
}

TEST(UpdateCodec, IgnoresAs4PathAfterATwoOctetAggregator) {
  // RFC 6793 4.2.3: an AGGREGATOR that is not AS_TRANS makes AS4_PATH stale.
  const Update update = decodeGood(
      "0000 002a"
      "40 01 01 00"
      "40 02 06 02 02 5ba0 fde8"
      "40 03 04 c0000201"
      "c0 07 06 fde9 c0000201"            // AGGREGATOR 65001
      "c0 11 0a 02 02 fa56ea01 0000fde8"  // AS4_PATH
      "20 c6120001",
      CodecContext{});
  EXPECT_EQ(update.attributes.as_path, AsPath::sequence({kAsTrans, 65000}));
  EXPECT_EQ(update.attributes.aggregator->asn, 65001u);
}

TEST(UpdateCodec, DropsAs4PathBetweenFourOctetSpeakers) {
  const Update update = decodeGood(
      "0000 001d 40 01 01 00 40 02 06 02 01 0000fde8 40 03 04 c0000201"
      "c0 11 06 02 01 fa56ea01 20 c6120001",
      fourOctet());
  EXPECT_EQ(update.attributes.as_path, AsPath::sequence({65000}));
  EXPECT_TRUE(update.attributes.unknown.empty());
}

TEST(UpdateCodec, EncodesForATwoOctetPeerWithAsTransAndAs4Path) {
  Update update;
  update.attributes.origin = Origin::Igp;
  update.attributes.as_path = AsPath::sequence({4200000001, 65000});
  update.attributes.next_hop = IpAddress::parse("192.0.2.1");
  update.nlri = {*Prefix::parse("198.18.0.1/32")};
  std::vector<std::uint8_t> out;
  ASSERT_TRUE(encodeUpdate(update, {}, out).has_value());
  EXPECT_EQ(toHex(out), toHex(message(MessageType::Update,
                                      "0000 0021"
                                      "40 01 01 00"
                                      "40 02 06 02 02 5ba0 fde8"
                                      "40 03 04 c0000201"
                                      "c0 11 0a 02 02 fa56ea01 0000fde8"
                                      "20 c6120001")));
  EXPECT_EQ(decodeGood(toHex(std::vector(out.begin() + 19, out.end())), {}), update);
}

TEST(UpdateCodec, QuietlyDropsUnknownOptionalNonTransitiveAttributes) {
  const Update update = decodeGood(
      "0000 0013 40 01 01 00 40 02 00 40 03 04 c0000201 80 63 02 abcd 20 c6120001", fourOctet());
  EXPECT_TRUE(update.attributes.unknown.empty());
  EXPECT_EQ(update.nlri.size(), 1u);
}

TEST(UpdateCodec, RefusesToEncodePrefixesInTheWrongField) {
  Update update;
  update.nlri = {*Prefix::parse("2001:db8::/32")};
  std::vector<std::uint8_t> out;
  EXPECT_FALSE(encodeUpdate(update, dualStack(), out).has_value());
  update.nlri.clear();
  update.attributes.mp_unreach =
      MpUnreach{Afi::Ipv6, Safi::Unicast, {*Prefix::parse("10.0.0.0/8")}};
  EXPECT_FALSE(encodeUpdate(update, dualStack(), out).has_value());
  EXPECT_TRUE(out.empty());
}

TEST(UpdateCodec, RefusesToEncodeOverTheMaximumSize) {
  Update update = expectedIpv4Update();
  update.attributes.communities.assign(1100, Community::of(1, 1));
  std::vector<std::uint8_t> out;
  EXPECT_FALSE(encodeUpdate(update, fourOctet(), out).has_value());
  EXPECT_TRUE(out.empty());
  CodecContext extended = fourOctet();
  extended.extended_messages = true;
  ASSERT_TRUE(encodeUpdate(update, extended, out).has_value());
  EXPECT_EQ(decodeGood(toHex(std::vector(out.begin() + 19, out.end())), extended), update);
}

// --- Malformed UPDATEs ---------------------------------------------------------------------

constexpr const char* kOrigin = "40 01 01 00";
constexpr const char* kAsPath = "40 02 06 02 01 0000fde8";
constexpr const char* kNextHop = "40 03 04 c0000201";
constexpr const char* kNlri = "20 c6120001";
// MP_REACH_NLRI: AFI 2, SAFI 1, next hop 2001:db8::1, reserved, 2001:db8::/32.
const std::string kMpReach =
    testing::attribute("800e", "0002 01 10 20010db8000000000000000000000001 00 20 20010db8");
const std::string kAfi3MpReach = testing::attribute("800e", "0003 01 00 00");
const std::string kLength20MpReach =
    testing::attribute("800e", "0002 01 14 20010db8000000000000000000000001 00000000 00");
const std::string kBadNlriMpReach =
    testing::attribute("800e", "0002 01 10 20010db8000000000000000000000001 00 81 00");

// An UPDATE with the three mandatory attributes, extra attributes, and an NLRI.
std::string withAttributes(std::string_view extra, std::string_view nlri = kNlri) {
  const std::string attributes = std::string(kOrigin) + kAsPath + kNextHop + std::string(extra);
  const std::size_t length = hex(attributes).size();
  const std::vector<std::uint8_t> length_field = {static_cast<std::uint8_t>(length >> 8),
                                                  static_cast<std::uint8_t>(length)};
  return "0000" + toHex(length_field) + attributes + std::string(nlri);
}

// An UPDATE with exactly these attributes.
std::string onlyAttributes(std::string_view attributes, std::string_view nlri = kNlri) {
  const std::size_t length = hex(attributes).size();
  const std::vector<std::uint8_t> length_field = {static_cast<std::uint8_t>(length >> 8),
                                                  static_cast<std::uint8_t>(length)};
  return "0000" + toHex(length_field) + std::string(attributes) + std::string(nlri);
}

struct ErrorCase {
  const char* name;
  std::string body;
  ErrorAction action;
  UpdateError subcode;
  std::string data;  // hex
  const char* section;
  CodecContext context = fourOctet();
};

const ErrorAction kReset = ErrorAction::SessionReset;
const ErrorAction kWithdraw = ErrorAction::TreatAsWithdraw;
const ErrorAction kDiscard = ErrorAction::AttributeDiscard;

std::vector<ErrorCase> errorCases() {
  CodecContext ipv6_only = dualStack();
  ipv6_only.ipv4_unicast = false;
  return {
      {"withdrawn routes length overruns", "0010 18c612", kReset,
       UpdateError::MalformedAttributeList, "", "RFC 4271 6.3"},
      {"total attribute length overruns", "0000 0010 40010100", kReset,
       UpdateError::MalformedAttributeList, "", "RFC 4271 6.3"},
      {"withdrawn prefix /33", "0002 21c6 0000", kReset, UpdateError::InvalidNetworkField, "",
       "RFC 7606 5.3"},
      {"nlri prefix overruns", withAttributes("", "20 c612"), kReset,
       UpdateError::InvalidNetworkField, "", "RFC 7606 5.3"},
      {"nlri prefix /33", withAttributes("", "21 c6120001 00"), kReset,
       UpdateError::InvalidNetworkField, "", "RFC 7606 5.3"},
      {"ipv4 nlri not negotiated", withAttributes(""), kReset, UpdateError::InvalidNetworkField, "",
       "RFC 4760 8", ipv6_only},
      {"attribute overruns the field", onlyAttributes("40 01 04 00 00"), kWithdraw,
       UpdateError::MalformedAttributeList, "", "RFC 7606 4"},
      {"attribute header truncated", withAttributes("40 01"), kWithdraw,
       UpdateError::MalformedAttributeList, "", "RFC 7606 4"},
      {"mp-reach overruns the field", onlyAttributes("80 0e 20 0002 01 10"), kReset,
       UpdateError::MalformedAttributeList, "", "RFC 7606 4", dualStack()},
      {"origin with optional flags",
       onlyAttributes(std::string("c0 01 01 00") + kAsPath + kNextHop), kWithdraw,
       UpdateError::AttributeFlagsError, "c0010100", "RFC 7606 3(c)"},
      {"med as well-known", withAttributes("40 04 04 00000001"), kWithdraw,
       UpdateError::AttributeFlagsError, "400404 00000001", "RFC 7606 3(c)"},
      {"aggregator as well-known", withAttributes("40 07 08 0000fde8 c0000201"), kDiscard,
       UpdateError::AttributeFlagsError, "400708 0000fde8 c0000201", "RFC 7606 3(c)"},
      {"mp-reach as transitive", onlyAttributes("c0 0f 03 0002 01", ""), kReset,
       UpdateError::AttributeFlagsError, "c00f03 000201", "RFC 7606 3(c)", dualStack()},
      {"duplicate origin", withAttributes("40 01 01 01"), kDiscard,
       UpdateError::MalformedAttributeList, "", "RFC 7606 3(g)"},
      {"duplicate mp-unreach", onlyAttributes("80 0f 03 0002 01 80 0f 03 0002 01", ""), kReset,
       UpdateError::MalformedAttributeList, "", "RFC 7606 3(g)", dualStack()},
      {"missing origin", onlyAttributes(std::string(kAsPath) + kNextHop), kWithdraw,
       UpdateError::MissingWellKnownAttribute, "01", "RFC 7606 3(d)"},
      {"missing as-path", onlyAttributes(std::string(kOrigin) + kNextHop), kWithdraw,
       UpdateError::MissingWellKnownAttribute, "02", "RFC 7606 3(d)"},
      {"missing next-hop", onlyAttributes(std::string(kOrigin) + kAsPath), kWithdraw,
       UpdateError::MissingWellKnownAttribute, "03", "RFC 7606 3(d)"},
      {"nlri without attributes", "0000 0000 20 c6120001", kWithdraw,
       UpdateError::MissingWellKnownAttribute, "01", "RFC 7606 3(d)"},
      {"mp-reach without origin", onlyAttributes(std::string(kAsPath) + kMpReach, ""), kWithdraw,
       UpdateError::MissingWellKnownAttribute, "01", "RFC 7606 3(d)", dualStack()},
      {"origin value 3", onlyAttributes(std::string("40 01 01 03") + kAsPath + kNextHop), kWithdraw,
       UpdateError::InvalidOriginAttribute, "40010103", "RFC 7606 7.1"},
      {"origin of length 2", onlyAttributes(std::string("40 01 02 0000") + kAsPath + kNextHop),
       kWithdraw, UpdateError::AttributeLengthError, "40010200 00", "RFC 7606 7.1"},
      {"as-path unknown segment type",
       onlyAttributes(std::string(kOrigin) + "40 02 06 05 01 0000fde8" + kNextHop), kWithdraw,
       UpdateError::MalformedAsPath, "", "RFC 7606 7.2"},
      {"as-path segment overrun",
       onlyAttributes(std::string(kOrigin) + "40 02 06 02 02 0000fde8" + kNextHop), kWithdraw,
       UpdateError::MalformedAsPath, "", "RFC 7606 7.2"},
      {"as-path empty segment", onlyAttributes(std::string(kOrigin) + "40 02 02 02 00" + kNextHop),
       kWithdraw, UpdateError::MalformedAsPath, "", "RFC 7606 7.2"},
      {"as-path with AS 0",
       onlyAttributes(std::string(kOrigin) + "40 02 06 02 01 00000000" + kNextHop), kWithdraw,
       UpdateError::MalformedAsPath, "", "RFC 7606 7.2"},
      {"as-path of two octets from a 4-octet peer",
       onlyAttributes(std::string(kOrigin) + "40 02 04 02 01 fde8" + kNextHop), kWithdraw,
       UpdateError::MalformedAsPath, "", "RFC 7606 7.2"},
      {"next-hop of length 5",
       onlyAttributes(std::string(kOrigin) + kAsPath + "40 03 05 c000020100"), kWithdraw,
       UpdateError::AttributeLengthError, "400305 c000020100", "RFC 7606 7.3"},
      {"med of length 3", withAttributes("80 04 03 000001"), kWithdraw,
       UpdateError::AttributeLengthError, "800403 000001", "RFC 7606 7.4"},
      {"local-pref of length 5", withAttributes("40 05 05 0000000001"), kWithdraw,
       UpdateError::AttributeLengthError, "400505 0000000001", "RFC 7606 7.5"},
      {"atomic-aggregate of length 1", withAttributes("40 06 01 00"), kDiscard,
       UpdateError::AttributeLengthError, "40060100", "RFC 7606 7.6"},
      {"aggregator of length 6 from a 4-octet peer", withAttributes("c0 07 06 fde8 c0000201"),
       kDiscard, UpdateError::AttributeLengthError, "c00706 fde8 c0000201", "RFC 7606 7.7"},
      {"aggregator with AS 0", withAttributes("c0 07 08 00000000 c0000201"), kDiscard,
       UpdateError::OptionalAttributeError, "c00708 00000000 c0000201", "RFC 7607 2"},
      {"communities of length 0", withAttributes("c0 08 00"), kWithdraw,
       UpdateError::AttributeLengthError, "c00800", "RFC 7606 7.8"},
      {"communities of length 5", withAttributes("c0 08 05 0000000100"), kWithdraw,
       UpdateError::AttributeLengthError, "c00805 0000000100", "RFC 7606 7.8"},
      {"large communities of length 13", withAttributes("c0 20 0d 00000001000000020000000300"),
       kWithdraw, UpdateError::AttributeLengthError, "c0200d 00000001000000020000000300",
       "RFC 8092 6"},
      {"mp-reach for ipv6 not negotiated", withAttributes(kMpReach), kReset,
       UpdateError::OptionalAttributeError, kMpReach, "RFC 4760 7"},
      {"mp-reach for AFI 3", withAttributes(kAfi3MpReach), kReset,
       UpdateError::OptionalAttributeError, kAfi3MpReach, "RFC 4760 7", dualStack()},
      {"mp-reach ipv6 next hop of length 20", withAttributes(kLength20MpReach), kReset,
       UpdateError::OptionalAttributeError, kLength20MpReach, "RFC 7606 7.11", dualStack()},
      {"mp-reach nlri /129", withAttributes(kBadNlriMpReach), kReset,
       UpdateError::OptionalAttributeError, kBadNlriMpReach, "RFC 7606 5.3", dualStack()},
      {"mp-unreach of length 2", onlyAttributes("80 0f 02 0002", ""), kReset,
       UpdateError::OptionalAttributeError, "800f02 0002", "RFC 4760 7", dualStack()},
      {"unrecognized well-known attribute", withAttributes("40 63 01 00"), kReset,
       UpdateError::UnrecognizedWellKnownAttribute, "40630100", "RFC 4271 6.3"},
      {"as4-path malformed from a 2-octet peer",
       onlyAttributes(std::string(kOrigin) + "40 02 04 02 01 fde8" + kNextHop +
                      "c0 11 06 02 02 fa56ea01"),
       kDiscard, UpdateError::OptionalAttributeError, "c01106 0202fa56ea01", "RFC 6793 6",
       CodecContext{}},
      {"as4-path with a confederation",
       onlyAttributes(std::string(kOrigin) + "40 02 04 02 01 fde8" + kNextHop +
                      "c0 11 06 03 01 fa56ea01"),
       kDiscard, UpdateError::OptionalAttributeError, "c01106 0301fa56ea01", "RFC 6793 6",
       CodecContext{}},
      {"as4-aggregator of length 6",
       onlyAttributes(std::string(kOrigin) + "40 02 04 02 01 fde8" + kNextHop +
                      "c0 12 06 fde8 c0000201"),
       kDiscard, UpdateError::AttributeLengthError, "c01206 fde8c0000201", "RFC 6793 6",
       CodecContext{}},
      {"the strongest of two errors wins",
       onlyAttributes(std::string("c0 07 06 fde8 c0000201") + "40 01 01 07" + kAsPath + kNextHop),
       kWithdraw, UpdateError::InvalidOriginAttribute, "40010107", "RFC 7606 7.1"},
  };
}

TEST(UpdateCodec, AnswersEachMalformedUpdateAsRfc7606Says) {
  for (const ErrorCase& c : errorCases()) {
    const auto decoded = decodeBody(c.body, c.context);
    ASSERT_FALSE(decoded.has_value()) << c.name;
    const DecodeError& error = decoded.error();
    EXPECT_EQ(errorActionName(error.action), errorActionName(c.action)) << c.name;
    EXPECT_EQ(error.notification, Notification::of(c.subcode, hex(c.data)))
        << c.name << ": " << error.toString();
    EXPECT_EQ(error.section, c.section) << c.name << ": " << error.reason;
    EXPECT_EQ(error.update.has_value(), !error.fatal()) << c.name;
  }
}

TEST(UpdateCodec, StillDecodesTheRestOfAnUpdateToWithdraw) {
  // MED malformed (treat-as-withdraw): the NLRI are there to be withdrawn, and the
  // attributes after the bad one were still read.
  const auto decoded = decodeBody(
      withAttributes("80 04 03 000001 c0 08 04 fc000064", "20 c6120001 18 c61202"), fourOctet());
  ASSERT_FALSE(decoded.has_value());
  const DecodeError& error = decoded.error();
  EXPECT_EQ(error.action, ErrorAction::TreatAsWithdraw);
  ASSERT_TRUE(error.update.has_value());
  EXPECT_EQ(error.update->nlri.size(), 2u);
  EXPECT_FALSE(error.update->attributes.multi_exit_disc.has_value());
  EXPECT_EQ(error.update->attributes.communities, std::vector{Community::of(64512, 100)});
}

TEST(UpdateCodec, KeepsTheFirstOfRepeatedAttributes) {
  const auto decoded = decodeBody(withAttributes("40 01 01 02"), fourOctet());
  ASSERT_FALSE(decoded.has_value());
  ASSERT_TRUE(decoded.error().update.has_value());
  EXPECT_EQ(decoded.error().update->attributes.origin, Origin::Igp);
}

TEST(UpdateCodec, LeavesNextHopSemanticsToTheCaller) {
  // 0.0.0.0 is no valid next hop, but judging it needs the session (RFC 4271 6.3).
  const Update update =
      decodeGood(onlyAttributes(std::string(kOrigin) + kAsPath + "40 03 04 00000000"), fourOctet());
  EXPECT_EQ(update.attributes.next_hop->toString(), "0.0.0.0");
}

}  // namespace
}  // namespace vipd::bgp
