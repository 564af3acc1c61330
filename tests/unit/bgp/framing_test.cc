#include "bgp/framing.h"

#include <gtest/gtest.h>

#include "hex.h"

namespace vipd::bgp {
namespace {

using testing::hex;

// A header with the given length and type, and a body of zeros to match.
std::vector<std::uint8_t> headerOnly(std::uint16_t length, std::uint8_t type) {
  std::vector<std::uint8_t> bytes(16, 0xFF);
  bytes.push_back(static_cast<std::uint8_t>(length >> 8));
  bytes.push_back(static_cast<std::uint8_t>(length));
  bytes.push_back(type);
  return bytes;
}

TEST(Framing, AcceptsAKeepaliveHeader) {
  const auto header = decodeHeader(hex("ffffffffffffffffffffffffffffffff 0013 04"), {});
  ASSERT_TRUE(header.has_value());
  EXPECT_EQ(header->length, 19);
  EXPECT_EQ(header->type, MessageType::Keepalive);
}

TEST(Framing, RejectsAMarkerNotAllOnesAsConnectionNotSynchronized) {
  auto bytes = headerOnly(19, 4);
  bytes[7] = 0xFE;
  const auto header = decodeHeader(bytes, {});
  ASSERT_FALSE(header.has_value());
  EXPECT_EQ(header.error().notification, Notification::of(HeaderError::ConnectionNotSynchronized));
  EXPECT_EQ(header.error().action, ErrorAction::SessionReset);
  EXPECT_EQ(header.error().section, "RFC 4271 6.1");
}

struct LengthCase {
  const char* name;
  std::uint16_t length;
  std::uint8_t type;
  bool extended;
};

TEST(Framing, RejectsBadLengthsWithTheLengthFieldAsData) {
  const LengthCase cases[] = {
      {"below the header", 18, 4, false},
      {"zero", 0, 2, false},
      {"over 4096 without extended messages", 4097, 2, false},
      {"open below 29", 28, 1, false},
      {"update below 23", 22, 2, false},
      {"notification below 21", 20, 3, false},
      {"keepalive not 19", 20, 4, false},
      {"keepalive not 19 with extended messages", 5000, 4, true},
      {"route-refresh below 23", 22, 5, false},
      {"open over 4096 even with extended messages", 4097, 1, true},
  };
  for (const LengthCase& c : cases) {
    CodecContext context;
    context.extended_messages = c.extended;
    const auto header = decodeHeader(headerOnly(c.length, c.type), context);
    ASSERT_FALSE(header.has_value()) << c.name;
    const std::vector<std::uint8_t> data = {static_cast<std::uint8_t>(c.length >> 8),
                                            static_cast<std::uint8_t>(c.length)};
    EXPECT_EQ(header.error().notification, Notification::of(HeaderError::BadMessageLength, data))
        << c.name;
  }
}

TEST(Framing, AcceptsUpTo65535WithExtendedMessages) {
  CodecContext context;
  context.extended_messages = true;
  for (const std::uint8_t type : std::vector<std::uint8_t>{2, 3, 5}) {
    EXPECT_TRUE(decodeHeader(headerOnly(65535, type), context).has_value()) << int{type};
  }
  EXPECT_TRUE(decodeHeader(headerOnly(4096, 1), context).has_value());
}

TEST(Framing, RejectsAnUnknownTypeWithTheTypeAsData) {
  for (const std::uint8_t type : std::vector<std::uint8_t>{0, 6, 255}) {
    const auto header = decodeHeader(headerOnly(19, type), {});
    ASSERT_FALSE(header.has_value());
    EXPECT_EQ(header.error().notification, Notification::of(HeaderError::BadMessageType, {type}));
  }
}

TEST(Framing, RejectsEveryPartOfAHeader) {
  const auto whole = headerOnly(19, 4);
  for (std::size_t size = 0; size < kHeaderSize; ++size) {
    const auto header = decodeHeader(std::span(whole).first(size), {});
    ASSERT_FALSE(header.has_value()) << size;
    EXPECT_EQ(header.error().notification.subcode,
              static_cast<std::uint8_t>(HeaderError::BadMessageLength))
        << size;
  }
}

TEST(Framing, AsksForAHeaderThenForTheWholeMessage) {
  const auto open = headerOnly(29, 1);
  EXPECT_EQ(nextMessageSize({}, {}), kHeaderSize);
  EXPECT_EQ(nextMessageSize(std::span(open).first(18), {}), kHeaderSize);
  EXPECT_EQ(nextMessageSize(open, {}), 29u);
}

TEST(Framing, FailsAsSoonAsTheHeaderIsInWhenItIsBad) {
  const auto bogus = headerOnly(60000, 2);
  const auto size = nextMessageSize(bogus, {});
  ASSERT_FALSE(size.has_value());
  EXPECT_EQ(size.error().notification.subcode,
            static_cast<std::uint8_t>(HeaderError::BadMessageLength));
}

TEST(Framing, WritesTheHeaderAndPatchesTheLength) {
  std::vector<std::uint8_t> buffer = {0xAB};
  ByteWriter out(buffer);
  const std::size_t start = beginMessage(out, MessageType::Notification);
  out.u8(6);
  out.u8(2);
  finishMessage(out, start);
  EXPECT_EQ(testing::toHex(buffer), "abffffffffffffffffffffffffffffffff0015030602");
}

}  // namespace
}  // namespace vipd::bgp
