#include "bgp/open_checks.h"

#include <gtest/gtest.h>

namespace vipd::bgp {
namespace {

Open peerOpen(std::uint32_t asn, std::uint32_t identifier, std::uint16_t hold_time = 9) {
  Open open;
  open.my_as = static_cast<std::uint16_t>(asn > 0xFFFF ? kAsTrans : asn);
  open.hold_time = hold_time;
  open.bgp_identifier = identifier;
  open.capabilities = {FourOctetAsCapability{asn}};
  return open;
}

const OpenExpectations kExpect{64512, 0x0AFF0002, 65000, 3};

TEST(OpenChecks, AcceptsTheExpectedPeer) {
  EXPECT_FALSE(checkPeerOpen(peerOpen(65000, 0x0AFF0001), kExpect).has_value());
  EXPECT_FALSE(checkPeerOpen(peerOpen(65000, 0x0AFF0001, 0), kExpect).has_value());
}

TEST(OpenChecks, RefusesAnotherPeerAs) {
  const auto error = checkPeerOpen(peerOpen(65001, 0x0AFF0001), kExpect);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->notification, Notification::of(OpenError::BadPeerAs));
}

TEST(OpenChecks, ComparesTheFourOctetAsOfTheCapability) {
  OpenExpectations expect = kExpect;
  expect.peer_as = 4200000001;
  EXPECT_FALSE(checkPeerOpen(peerOpen(4200000001, 1), expect).has_value());
  Open without_capability = peerOpen(4200000001, 1);
  without_capability.capabilities.clear();
  EXPECT_TRUE(checkPeerOpen(without_capability, expect).has_value());
}

TEST(OpenChecks, RefusesOurOwnIdentifierFromAnInternalPeerOnly) {
  OpenExpectations internal = kExpect;
  internal.peer_as = 64512;
  const auto error = checkPeerOpen(peerOpen(64512, kExpect.local_identifier), internal);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->notification, Notification::of(OpenError::BadBgpIdentifier));
  EXPECT_EQ(error->section, "RFC 6286 2.2");

  EXPECT_FALSE(checkPeerOpen(peerOpen(65000, kExpect.local_identifier), kExpect).has_value());
}

TEST(OpenChecks, RefusesAHoldTimeBelowTheLocalMinimum) {
  OpenExpectations expect = kExpect;
  expect.min_hold_time = 10;
  const auto error = checkPeerOpen(peerOpen(65000, 1, 9), expect);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->notification, Notification::of(OpenError::UnacceptableHoldTime));
}

}  // namespace
}  // namespace vipd::bgp
