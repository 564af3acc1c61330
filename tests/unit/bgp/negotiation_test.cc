#include "bgp/negotiation.h"

#include <gtest/gtest.h>

namespace vipd::bgp {
namespace {

Open openWith(std::vector<Capability> capabilities, std::uint16_t hold_time = 90) {
  Open open;
  open.my_as = 64512;
  open.hold_time = hold_time;
  open.bgp_identifier = 1;
  open.capabilities = std::move(capabilities);
  return open;
}

TEST(Negotiation, CountsACapabilityOnlyWhenBothSidesSentIt) {
  const Open both = openWith({FourOctetAsCapability{64512}, ExtendedMessageCapability{}});
  const Open four_octet_only = openWith({FourOctetAsCapability{65000}});
  const CodecContext context = negotiate(both, four_octet_only);
  EXPECT_TRUE(context.four_octet_as);
  EXPECT_FALSE(context.extended_messages);
  EXPECT_TRUE(negotiate(both, both).extended_messages);
  EXPECT_FALSE(negotiate(both, openWith({})).four_octet_as);
}

TEST(Negotiation, KeepsTheFamiliesBothAnnounced) {
  const Open dual =
      openWith({MultiprotocolCapability{kIpv4Unicast}, MultiprotocolCapability{kIpv6Unicast}});
  const Open ipv6 = openWith({MultiprotocolCapability{kIpv6Unicast}});
  const CodecContext context = negotiate(dual, ipv6);
  EXPECT_FALSE(context.ipv4_unicast);
  EXPECT_TRUE(context.ipv6_unicast);
}

TEST(Negotiation, TakesIpv4UnicastFromASideWithoutMultiprotocolCapabilities) {
  const Open dual =
      openWith({MultiprotocolCapability{kIpv4Unicast}, MultiprotocolCapability{kIpv6Unicast}});
  const CodecContext context = negotiate(dual, openWith({RouteRefreshCapability{}}));
  EXPECT_TRUE(context.ipv4_unicast);
  EXPECT_FALSE(context.ipv6_unicast);
}

TEST(Negotiation, TakesTheSmallerHoldTime) {
  EXPECT_EQ(negotiateHoldTime(openWith({}, 90), openWith({}, 9)), 9);
  EXPECT_EQ(negotiateHoldTime(openWith({}, 0), openWith({}, 9)), 0);
}

}  // namespace
}  // namespace vipd::bgp
