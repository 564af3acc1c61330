#include "bgp/open_codec.h"

#include <gtest/gtest.h>

#include "bgp/codec.h"
#include "hex.h"

namespace vipd::bgp {
namespace {

using testing::hex;
using testing::message;

// An OPEN as RFC 4271 4.2 and RFC 5492 4 lay it out.
constexpr const char* kOpenBody =
    "04"                // version 4
    "fc00"              // my autonomous system 64512
    "005a"              // hold time 90
    "0a000001"          // bgp identifier 10.0.0.1
    "10"                // optional parameters length 16
    "02 0e"             // parameter type 2 (capabilities), length 14
    "01 04 0001 00 01"  // multiprotocol: AFI 1, reserved, SAFI 1
    "02 00"             // route refresh
    "41 04 0000fc00";   // 4-octet AS 64512

Open expectedOpen() {
  Open open;
  open.my_as = 64512;
  open.hold_time = 90;
  open.bgp_identifier = 0x0A000001;
  open.capabilities = {MultiprotocolCapability{kIpv4Unicast}, RouteRefreshCapability{},
                       FourOctetAsCapability{64512}};
  return open;
}

std::expected<Open, DecodeError> decodeBody(std::string_view body) {
  return decodeOpen(hex(body));
}

TEST(OpenCodec, DecodesTheFieldsAndCapabilities) {
  const auto open = decodeBody(kOpenBody);
  ASSERT_TRUE(open.has_value()) << open.error().toString();
  EXPECT_EQ(*open, expectedOpen());
  EXPECT_EQ(open->asNumber(), 64512u);
}

TEST(OpenCodec, EncodesTheSameBytesItDecodes) {
  std::vector<std::uint8_t> out;
  ASSERT_TRUE(encodeOpen(expectedOpen(), out).has_value());
  EXPECT_EQ(out, message(MessageType::Open, kOpenBody));
}

TEST(OpenCodec, TakesTheFourOctetAsFromItsCapability) {
  Open open = expectedOpen();
  open.my_as = static_cast<std::uint16_t>(kAsTrans);
  open.capabilities = {FourOctetAsCapability{4200000001}};
  EXPECT_EQ(open.asNumber(), 4200000001u);
  open.capabilities.clear();
  EXPECT_EQ(open.asNumber(), kAsTrans);
}

TEST(OpenCodec, ReadsSeveralCapabilityParameters) {
  // Two parameters of one capability each, as some speakers send them.
  const auto open = decodeBody("04 fc00 005a 0a000001 0c  02 06 01 04 0002 00 01  02 02 0200");
  ASSERT_TRUE(open.has_value()) << open.error().toString();
  EXPECT_EQ(open->capabilities, (std::vector<Capability>{MultiprotocolCapability{kIpv6Unicast},
                                                         RouteRefreshCapability{}}));
}

TEST(OpenCodec, ReadsTheExtendedOptionalParametersLength) {
  // RFC 9072 2: non-ext length 255, non-ext type 255, extended length 11, then a
  // parameter with a 2-octet length (8): multiprotocol and route refresh.
  const auto open = decodeBody("04 fc00 005a 0a000001 ff ff 000b 02 0008 0104000100 01 0200");
  ASSERT_TRUE(open.has_value()) << open.error().toString();
  EXPECT_EQ(open->capabilities, (std::vector<Capability>{MultiprotocolCapability{kIpv4Unicast},
                                                         RouteRefreshCapability{}}));
}

TEST(OpenCodec, UsesTheExtendedFormOnlyWhenCapabilitiesExceed255Octets) {
  Open open = expectedOpen();
  for (std::uint8_t code = 200; code < 230; ++code) {
    open.capabilities.push_back(UnknownCapability{code, std::vector<std::uint8_t>(10, code)});
  }
  std::vector<std::uint8_t> out;
  ASSERT_TRUE(encodeOpen(open, out).has_value());
  EXPECT_EQ(out[28], 0xFF);  // non-ext OP length
  EXPECT_EQ(out[29], 0xFF);  // non-ext OP type
  const auto decoded = decode(out, {});
  ASSERT_TRUE(decoded.has_value()) << decoded.error().toString();
  EXPECT_EQ(std::get<Open>(*decoded), open);

  out.clear();
  ASSERT_TRUE(encodeOpen(expectedOpen(), out).has_value());
  EXPECT_EQ(out[28], 0x10);
}

TEST(OpenCodec, RefusesToEncodeWhatCannotBeWritten) {
  Open open = expectedOpen();
  open.capabilities = {UnknownCapability{99, std::vector<std::uint8_t>(256, 0)}};
  std::vector<std::uint8_t> out;
  EXPECT_FALSE(encodeOpen(open, out).has_value());

  open.capabilities.clear();
  for (int i = 0; i < 20; ++i) {
    open.capabilities.push_back(UnknownCapability{99, std::vector<std::uint8_t>(250, 0)});
  }
  EXPECT_FALSE(encodeOpen(open, out).has_value());  // over 4096
  EXPECT_TRUE(out.empty());
}

struct ErrorCase {
  const char* name;
  const char* body;
  Notification notification;
  const char* section;
};

TEST(OpenCodec, AnswersEachMalformedOpenAsRfc4271Says) {
  const ErrorCase cases[] = {
      {"version 3", "03 fc00 005a 0a000001 00",
       Notification::of(OpenError::UnsupportedVersionNumber, {0x00, 0x04}), "RFC 4271 6.2"},
      {"version 5", "05 fc00 005a 0a000001 00",
       Notification::of(OpenError::UnsupportedVersionNumber, {0x00, 0x04}), "RFC 4271 6.2"},
      {"my AS 0", "04 0000 005a 0a000001 00", Notification::of(OpenError::BadPeerAs), "RFC 7607 2"},
      {"hold time 1", "04 fc00 0001 0a000001 00", Notification::of(OpenError::UnacceptableHoldTime),
       "RFC 4271 6.2"},
      {"hold time 2", "04 fc00 0002 0a000001 00", Notification::of(OpenError::UnacceptableHoldTime),
       "RFC 4271 6.2"},
      {"bgp identifier 0", "04 fc00 005a 00000000 00",
       Notification::of(OpenError::BadBgpIdentifier), "RFC 6286 2.2"},
      {"authentication parameter", "04 fc00 005a 0a000001 03 01 01 00",
       Notification::of(OpenError::UnsupportedOptionalParameter), "RFC 4271 6.2"},
      {"unknown parameter", "04 fc00 005a 0a000001 02 07 00",
       Notification::of(OpenError::UnsupportedOptionalParameter), "RFC 4271 6.2"},
      {"capability overruns its parameter", "04 fc00 005a 0a000001 06 02 04 41 04 0000",
       Notification::of(OpenError::Unspecific), "RFC 4271 6.2"},
      {"capability header truncated", "04 fc00 005a 0a000001 03 02 01 41",
       Notification::of(OpenError::Unspecific), "RFC 4271 6.2"},
      {"parameter overruns the parameters", "04 fc00 005a 0a000001 02 02 05",
       Notification::of(OpenError::Unspecific), "RFC 4271 6.2"},
      {"parameters length past the message", "04 fc00 005a 0a000001 10 02 02 0200",
       Notification::of(OpenError::Unspecific), "RFC 4271 6.2"},
      {"octets after the parameters", "04 fc00 005a 0a000001 00 02 00",
       Notification::of(OpenError::Unspecific), "RFC 4271 6.2"},
      {"multiprotocol of length 3", "04 fc00 005a 0a000001 05 02 03 01 03 00",
       Notification::of(OpenError::Unspecific), "RFC 4271 6.2"},
      {"four-octet AS of length 2", "04 fc00 005a 0a000001 06 02 04 41 02 fc00",
       Notification::of(OpenError::Unspecific), "RFC 4271 6.2"},
      {"graceful restart of length 3", "04 fc00 005a 0a000001 07 02 05 40 03 000000",
       Notification::of(OpenError::Unspecific), "RFC 4271 6.2"},
      {"route refresh with a value", "04 fc00 005a 0a000001 05 02 03 02 01 00",
       Notification::of(OpenError::Unspecific), "RFC 4271 6.2"},
      {"four-octet AS 0", "04 5ba0 005a 0a000001 08 02 06 41 04 00000000",
       Notification::of(OpenError::BadPeerAs), "RFC 7607 2"},
      {"extended length truncated", "04 fc00 005a 0a000001 ff ff 00",
       Notification::of(OpenError::Unspecific), "RFC 4271 6.2"},
  };
  for (const ErrorCase& c : cases) {
    const auto open = decodeBody(c.body);
    ASSERT_FALSE(open.has_value()) << c.name;
    EXPECT_EQ(open.error().notification, c.notification) << c.name << ": " << open.error().reason;
    EXPECT_EQ(open.error().section, c.section) << c.name;
    EXPECT_EQ(open.error().action, ErrorAction::SessionReset) << c.name;
    EXPECT_FALSE(open.error().reason.empty()) << c.name;
  }
}

TEST(OpenCodec, AcceptsHoldTimeZeroAndThree) {
  EXPECT_TRUE(decodeBody("04 fc00 0000 0a000001 00").has_value());
  EXPECT_TRUE(decodeBody("04 fc00 0003 0a000001 00").has_value());
}

TEST(OpenCodec, RejectsAnOpenOver4096EvenWithExtendedMessages) {
  CodecContext context;
  context.extended_messages = true;
  auto body = hex("04 fc00 005a 0a000001 ff ff 1000 02 0ffd");
  body.resize(body.size() + 0x0ffd, 0);
  const auto decoded = decode(message(MessageType::Open, body), context);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().notification.subcode,
            static_cast<std::uint8_t>(HeaderError::BadMessageLength));
}

}  // namespace
}  // namespace vipd::bgp
