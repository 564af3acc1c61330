#include "bgp/codec.h"

#include <gtest/gtest.h>

#include "hex.h"

namespace vipd::bgp {
namespace {

using testing::hex;
using testing::message;
using testing::toHex;

const std::string kMarker = "ffffffffffffffffffffffffffffffff";

template <typename T>
T decodeAs(const std::vector<std::uint8_t>& bytes, const CodecContext& context = {}) {
  auto decoded = decode(bytes, context);
  if (!decoded) {
    ADD_FAILURE() << decoded.error().toString();
    return T{};
  }
  if (!std::holds_alternative<T>(*decoded)) {
    ADD_FAILURE() << "decoded another message type";
    return T{};
  }
  return std::get<T>(*decoded);
}

DecodeError decodeError(const std::vector<std::uint8_t>& bytes, const CodecContext& context = {}) {
  auto decoded = decode(bytes, context);
  if (decoded) {
    ADD_FAILURE() << "decoded";
    return {};
  }
  return decoded.error();
}

TEST(Codec, EncodesAKeepaliveAsABareHeader) {
  std::vector<std::uint8_t> out;
  encodeKeepalive(out);
  EXPECT_EQ(toHex(out), kMarker + "001304");
  decodeAs<Keepalive>(out);
}

TEST(Codec, DecodesANotificationWithItsData) {
  // code 6 (cease), subcode 2 (administrative shutdown), data: length 3, "bye".
  const auto bytes = message(MessageType::Notification, "06 02 03 627965");
  const auto notification = decodeAs<Notification>(bytes);
  EXPECT_EQ(notification.name(), "cease/administrative-shutdown");
  EXPECT_EQ(notification.shutdownCommunication(), "bye");
}

TEST(Codec, RejectsANotificationShorterThan21Octets) {
  const auto error = decodeError(message(MessageType::Notification, "06"));
  EXPECT_EQ(error.notification, Notification::of(HeaderError::BadMessageLength, {0x00, 0x14}));
}

TEST(Codec, DecodesARouteRefreshWithItsSubtype) {
  // AFI 2 (IPv6), subtype 1 (beginning of route refresh), SAFI 1 (unicast).
  const auto refresh = decodeAs<RouteRefresh>(message(MessageType::RouteRefresh, "0002 01 01"));
  EXPECT_EQ(refresh, RouteRefresh::of(kIpv6Unicast, RouteRefresh::Subtype::BeginningOfRib));
}

TEST(Codec, RejectsARouteRefreshOfTheWrongLength) {
  const auto too_long = message(MessageType::RouteRefresh, "0001 00 01 00");
  const auto error = decodeError(too_long);
  EXPECT_EQ(error.notification,
            Notification::of(RouteRefreshError::InvalidMessageLength, too_long));
  EXPECT_EQ(error.section, "RFC 7313 5");

  const auto too_short = decodeError(message(MessageType::RouteRefresh, "0001 00"));
  EXPECT_EQ(too_short.notification, Notification::of(HeaderError::BadMessageLength, {0, 22}));
}

TEST(Codec, RejectsBytesThatAreNotExactlyOneMessage) {
  auto bytes = message(MessageType::Keepalive, "");
  bytes.push_back(0);
  // The header says 19 (0x0013) but 20 octets were given.
  EXPECT_EQ(decodeError(bytes).notification,
            Notification::of(HeaderError::BadMessageLength, {0x00, 0x13}));
  EXPECT_EQ(decodeError(hex("ffff")).notification.subcode,
            static_cast<std::uint8_t>(HeaderError::BadMessageLength));
}

Message sampleUpdate() {
  Update update;
  update.withdrawn = {*Prefix::parse("198.18.1.0/24")};
  update.attributes.origin = Origin::Igp;
  update.attributes.as_path = AsPath::sequence({64512, 4200000001});
  update.attributes.next_hop = IpAddress::parse("192.0.2.1");
  update.attributes.communities = {kGracefulShutdown};
  update.nlri = {*Prefix::parse("198.18.0.1/32")};
  return update;
}

TEST(Codec, RoundTripsEveryMessageType) {
  Open open;
  open.my_as = 64512;
  open.hold_time = 90;
  open.bgp_identifier = 0x0A000001;
  open.capabilities = {MultiprotocolCapability{kIpv4Unicast}, FourOctetAsCapability{64512}};

  const Message messages[] = {
      open,
      sampleUpdate(),
      Notification::of(UpdateError::MalformedAsPath),
      Keepalive{},
      RouteRefresh::of(kIpv4Unicast, RouteRefresh::Subtype::EndOfRib),
  };
  for (const bool four_octet : {false, true}) {
    CodecContext context;
    context.four_octet_as = four_octet;
    for (const Message& sent : messages) {
      const auto bytes = encode(sent, context);
      ASSERT_TRUE(bytes.has_value()) << bytes.error().reason;
      const auto received = decode(*bytes, context);
      ASSERT_TRUE(received.has_value()) << received.error().toString();
      EXPECT_EQ(*received, sent) << messageTypeName(static_cast<std::uint8_t>(typeOf(sent)));
    }
  }
}

TEST(Codec, RefusesToEncodeANotificationOverTheMaximumSize) {
  const Notification big =
      Notification::of(CeaseError::Unspecific, std::vector<std::uint8_t>(kMaxMessageSize - 20, 0));
  std::vector<std::uint8_t> out;
  EXPECT_FALSE(encode(big, {}, out).has_value());
  EXPECT_TRUE(out.empty());

  CodecContext extended;
  extended.extended_messages = true;
  EXPECT_TRUE(encode(big, extended, out).has_value());
  EXPECT_EQ(decodeAs<Notification>(out, extended), big);
}

TEST(Codec, NamesMessageTypes) {
  EXPECT_EQ(messageTypeName(1), "open");
  EXPECT_EQ(messageTypeName(5), "route-refresh");
  EXPECT_EQ(messageTypeName(9), "type-9");
  EXPECT_EQ(typeOf(Message(Keepalive{})), MessageType::Keepalive);
}

}  // namespace
}  // namespace vipd::bgp
