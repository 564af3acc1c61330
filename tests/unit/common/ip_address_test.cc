#include "common/ip_address.h"

#include <gtest/gtest.h>

namespace vipd {
namespace {

TEST(IpAddress, ParsesAndPrintsIpv4) {
  const auto address = IpAddress::parse("192.0.2.10");
  ASSERT_TRUE(address.has_value());
  EXPECT_TRUE(address->isV4());
  EXPECT_EQ(address->toString(), "192.0.2.10");
  EXPECT_EQ(address->withPort(80), "192.0.2.10:80");
  EXPECT_EQ(address->prefixLength(), 32);
}

TEST(IpAddress, PrintsIpv6CanonicallyWithBracketsBeforeAPort) {
  const auto address = IpAddress::parse("2001:0db8:0:0::0001");
  ASSERT_TRUE(address.has_value());
  EXPECT_TRUE(address->isV6());
  EXPECT_EQ(address->toString(), "2001:db8::1");
  EXPECT_EQ(address->withPort(443), "[2001:db8::1]:443");
}

TEST(IpAddress, RejectsNamesAndGarbage) {
  for (const char* text : {"", "cp1001.example.net", "192.0.2", "192.0.2.256", "::g", "192.0.2.1 ",
                           "[::1]", "1.2.3.4:80"}) {
    EXPECT_FALSE(IpAddress::parse(text).has_value()) << text;
  }
}

TEST(IpAddress, OrdersByFamilyThenBytes) {
  const auto a = *IpAddress::parse("10.0.0.1");
  const auto b = *IpAddress::parse("10.0.0.2");
  const auto c = *IpAddress::parse("::1");
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_EQ(a, *IpAddress::parse("10.0.0.1"));
}

}  // namespace
}  // namespace vipd
