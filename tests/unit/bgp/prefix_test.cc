#include "bgp/prefix.h"

#include <gtest/gtest.h>

#include "bgp/nlri.h"
#include "hex.h"

namespace vipd::bgp {
namespace {

TEST(Prefix, ParsesAndPrintsBothFamilies) {
  EXPECT_EQ(Prefix::parse("198.18.0.0/15")->toString(), "198.18.0.0/15");
  EXPECT_EQ(Prefix::parse("2001:db8::/32")->toString(), "2001:db8::/32");
  EXPECT_EQ(Prefix::parse("192.0.2.1")->length(), 32);
  EXPECT_EQ(Prefix::parse("2001:db8::1")->length(), 128);
}

TEST(Prefix, ClearsTheBitsPastTheLength) {
  EXPECT_EQ(Prefix::parse("198.19.255.255/15")->toString(), "198.18.0.0/15");
  EXPECT_EQ(Prefix::parse("2001:db8:ffff::1/33")->toString(), "2001:db8:8000::/33");
  EXPECT_EQ(Prefix::parse("10.1.2.3/0")->toString(), "0.0.0.0/0");
  EXPECT_EQ(*Prefix::parse("10.1.2.3/8"), *Prefix::parse("10.0.0.0/8"));
}

// The hand-written comparison keeps a defaulted one's order: family, address octets from the
// first, then length.
TEST(Prefix, OrdersByFamilyThenAddressThenLength) {
  const char* const ordered[] = {
      "0.0.0.0/0",     "10.0.0.0/8",      "10.0.0.0/16",     "10.0.0.1/32",
      "10.0.1.0/24",   "198.18.0.255/32", "198.18.1.0/32",   "255.255.255.255/32",
      "::/0",          "2001:db8::/32",   "2001:db8::1/128", "2001:db8:0:0:1::/80",
      "2001:db9::/32", "ffff::/16",
  };
  for (std::size_t i = 0; i + 1 < std::size(ordered); ++i) {
    const Prefix lower = *Prefix::parse(ordered[i]);
    const Prefix higher = *Prefix::parse(ordered[i + 1]);
    EXPECT_LT(lower, higher) << ordered[i] << " < " << ordered[i + 1];
    EXPECT_NE(lower, higher);
    EXPECT_EQ(lower, *Prefix::parse(ordered[i]));
    EXPECT_EQ(lower <=> *Prefix::parse(ordered[i]), std::strong_ordering::equal);
  }
}

TEST(Prefix, EqualPrefixesHashEqual) {
  EXPECT_EQ(PrefixHash{}(*Prefix::parse("198.18.0.1/32")),
            PrefixHash{}(*Prefix::parse("198.18.0.1")));
  EXPECT_NE(PrefixHash{}(*Prefix::parse("198.18.0.1/32")),
            PrefixHash{}(*Prefix::parse("198.18.0.2/32")));
}

TEST(Prefix, RefusesLengthsPastTheAddress) {
  for (const char* text : {"10.0.0.0/33", "2001:db8::/129", "10.0.0.0/-1", "10.0.0.0/", "10/8",
                           "10.0.0.0/8x", "host/32"}) {
    EXPECT_FALSE(Prefix::parse(text).has_value()) << text;
  }
}

TEST(Prefix, EncodesOnlyTheSignificantOctets) {
  const struct {
    const char* prefix;
    const char* nlri;
  } cases[] = {
      {"0.0.0.0/0", "00"},
      {"198.18.0.0/15", "0f c612"},
      {"198.18.0.1/32", "20 c6120001"},
      {"2001:db8::/32", "20 20010db8"},
      {"2001:db8::1/128", "80 20010db8000000000000000000000001"},
  };
  for (const auto& c : cases) {
    std::vector<std::uint8_t> out;
    ByteWriter writer(out);
    const Prefix prefix = *Prefix::parse(c.prefix);
    encodePrefix(prefix, writer);
    EXPECT_EQ(testing::toHex(out), testing::toHex(testing::hex(c.nlri))) << c.prefix;
    EXPECT_EQ(encodedPrefixSize(prefix), out.size());

    std::vector<Prefix> decoded;
    ASSERT_TRUE(decodePrefixes(out, prefix.family(), decoded).has_value()) << c.prefix;
    EXPECT_EQ(decoded, std::vector<Prefix>{prefix});
  }
}

TEST(Prefix, DecodesAFieldOfSeveralAndIgnoresTrailingBits) {
  std::vector<Prefix> decoded;
  // 10.0.0.0/8, then 192.0.2.0/23 sent with a stray low bit (192.0.3.0/23).
  ASSERT_TRUE(decodePrefixes(testing::hex("08 0a  17 c00003"), IpAddress::Family::V4, decoded));
  EXPECT_EQ(decoded,
            (std::vector<Prefix>{*Prefix::parse("10.0.0.0/8"), *Prefix::parse("192.0.2.0/23")}));
}

TEST(Prefix, RefusesSyntacticallyIncorrectFields) {
  const struct {
    const char* field;
    IpAddress::Family family;
  } cases[] = {
      {"21 0a000000 00", IpAddress::Family::V4},  // /33
      {"81 00", IpAddress::Family::V6},           // /129
      {"18 0a00", IpAddress::Family::V4},         // /24 with two octets
      {"20", IpAddress::Family::V4},              // length alone
  };
  for (const auto& c : cases) {
    std::vector<Prefix> decoded;
    EXPECT_FALSE(decodePrefixes(testing::hex(c.field), c.family, decoded).has_value()) << c.field;
  }
}

}  // namespace
}  // namespace vipd::bgp
