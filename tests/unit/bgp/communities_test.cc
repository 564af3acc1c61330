#include "bgp/communities.h"

#include <gtest/gtest.h>

namespace vipd::bgp {
namespace {

TEST(Communities, NamesTheWellKnownOnes) {
  EXPECT_EQ(kGracefulShutdown, Community::of(65535, 0));
  EXPECT_EQ(kGracefulShutdown.wellKnownName(), "graceful-shutdown");
  EXPECT_EQ(kNoExport.wellKnownName(), "no-export");
  EXPECT_EQ(kNoAdvertise.wellKnownName(), "no-advertise");
  EXPECT_EQ(kNoExportSubconfed.wellKnownName(), "no-export-subconfed");
  EXPECT_EQ(kNoPeer.wellKnownName(), "no-peer");
  EXPECT_EQ(kBlackhole.wellKnownName(), "blackhole");
  EXPECT_EQ(kAcceptOwn.wellKnownName(), "accept-own");
  EXPECT_EQ(kLlgrStale.wellKnownName(), "llgr-stale");
  EXPECT_EQ(kNoLlgr.wellKnownName(), "no-llgr");
  EXPECT_EQ(Community::of(64512, 100).wellKnownName(), "");
}

TEST(Communities, PrintsAsnAndValue) {
  const Community community = Community::of(64512, 100);
  EXPECT_EQ(community.asn(), 64512);
  EXPECT_EQ(community.local(), 100);
  EXPECT_EQ(community.toString(), "64512:100");
  EXPECT_EQ(kBlackhole.toString(), "65535:666");
  EXPECT_EQ((LargeCommunity{4200000001, 1, 2}.toString()), "4200000001:1:2");
}

}  // namespace
}  // namespace vipd::bgp
