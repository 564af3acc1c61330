#include "bgp/capabilities.h"

#include <gtest/gtest.h>

#include "hex.h"

namespace vipd::bgp {
namespace {

using testing::hex;
using testing::toHex;

struct Vector {
  const char* name;
  const char* hex;  // code, length, value (RFC 5492 4)
  Capability capability;
};

GracefulRestartCapability gracefulRestart() {
  GracefulRestartCapability capability;
  capability.restarted = true;
  capability.notification = true;
  capability.restart_time = 120;
  capability.families = {{kIpv4Unicast, true}, {kIpv6Unicast, false}};
  return capability;
}

const Vector kVectors[] = {
    {"multiprotocol ipv6 unicast", "01 04 0002 00 01", MultiprotocolCapability{kIpv6Unicast}},
    {"route refresh", "02 00", RouteRefreshCapability{}},
    {"extended message", "06 00", ExtendedMessageCapability{}},
    // R and N bits, restart time 120; IPv4 unicast with forwarding state, IPv6 unicast without.
    {"graceful restart", "40 0a c078 0001 01 80 0002 01 00", gracefulRestart()},
    {"graceful restart, no family", "40 02 0000", GracefulRestartCapability{}},
    {"four-octet AS", "41 04 fa56ea01", FourOctetAsCapability{4200000001}},
    {"enhanced route refresh", "46 00", EnhancedRouteRefreshCapability{}},
    {"unknown (FQDN, 73)", "49 05 03 766970 00", UnknownCapability{73, hex("03 766970 00")}},
};

TEST(Capabilities, DecodesEachKnownCapabilityAndKeepsUnknownOnesRaw) {
  for (const Vector& v : kVectors) {
    std::vector<Capability> decoded;
    const auto result = decodeCapabilities(hex(v.hex), decoded);
    ASSERT_TRUE(result.has_value()) << v.name << ": " << result.error();
    ASSERT_EQ(decoded.size(), 1u) << v.name;
    EXPECT_EQ(decoded[0], v.capability) << v.name;
  }
}

TEST(Capabilities, EncodesEachCapabilityAsItDecodes) {
  for (const Vector& v : kVectors) {
    std::vector<std::uint8_t> out;
    ByteWriter writer(out);
    encodeCapability(v.capability, writer);
    EXPECT_EQ(toHex(out), toHex(hex(v.hex))) << v.name;
    EXPECT_EQ(encodedCapabilitySize(v.capability), out.size()) << v.name;
  }
}

TEST(Capabilities, DropsReservedGracefulRestartBitsAndKeepsTwelveBitsOfTime) {
  std::vector<Capability> decoded;
  ASSERT_TRUE(decodeCapabilities(hex("40 06 3fff 0001 01 7f"), decoded).has_value());
  const auto& capability = std::get<GracefulRestartCapability>(decoded[0]);
  EXPECT_FALSE(capability.restarted);
  EXPECT_FALSE(capability.notification);
  EXPECT_EQ(capability.restart_time, 4095);
  EXPECT_FALSE(capability.families[0].forwarding_preserved);
}

TEST(Capabilities, ReadsSeveralInOneParameter) {
  std::vector<Capability> decoded;
  ASSERT_TRUE(decodeCapabilities(hex("0104000100 01 0200 4104 0000fc00"), decoded).has_value());
  EXPECT_EQ(decoded.size(), 3u);
  EXPECT_NE(findCapability<FourOctetAsCapability>(decoded), nullptr);
  EXPECT_EQ(findCapability<ExtendedMessageCapability>(decoded), nullptr);
}

TEST(Capabilities, NamesWhatItKnows) {
  EXPECT_EQ(capabilityName(1), "multiprotocol");
  EXPECT_EQ(capabilityName(64), "graceful-restart");
  EXPECT_EQ(capabilityName(65), "four-octet-as");
  EXPECT_EQ(capabilityName(70), "enhanced-route-refresh");
  EXPECT_EQ(capabilityName(73), "capability-73");
  EXPECT_EQ(capabilityCode(UnknownCapability{73, {}}), 73);
  EXPECT_EQ(capabilityCode(FourOctetAsCapability{}), 65);
}

TEST(Capabilities, RefusesMalformedOnes) {
  for (const char* bytes : {"01 03 000100", "41 05 0000fc0000", "40 04 0000 0001", "06 01 00",
                            "46 01 00", "02", "41 04 0000"}) {
    std::vector<Capability> decoded;
    EXPECT_FALSE(decodeCapabilities(hex(bytes), decoded).has_value()) << bytes;
  }
}

}  // namespace
}  // namespace vipd::bgp
