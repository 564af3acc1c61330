// AttributeInterner: equal sets of attributes share one copy, different ones do not, and a
// set nobody holds any more is not kept.
#include "bgp/attribute_interner.h"

#include <gtest/gtest.h>

namespace vipd::bgp {
namespace {

PathAttributes withMed(std::uint32_t med) {
  PathAttributes attributes;
  attributes.origin = Origin::Igp;
  attributes.as_path = AsPath::sequence({64512});
  attributes.next_hop = IpAddress::parse("192.0.2.1");
  attributes.multi_exit_disc = med;
  attributes.communities = {Community::of(64512, 100)};
  attributes.large_communities = {{64512, 1, 1}};
  return attributes;
}

TEST(AttributeInterner, EqualSetsShareOneCopy) {
  AttributeInterner interner;
  const SharedAttributes first = interner.intern(withMed(100));
  const SharedAttributes second = interner.intern(withMed(100));
  EXPECT_EQ(first, second);
  EXPECT_EQ(*first, withMed(100));
  EXPECT_EQ(interner.size(), 1u);
}

TEST(AttributeInterner, SetsThatDifferInAnyFieldAreDistinct) {
  AttributeInterner interner;
  PathAttributes communities = withMed(100);
  communities.communities.push_back(kGracefulShutdown);
  PathAttributes local_pref = withMed(100);
  local_pref.local_pref = 0;
  PathAttributes ipv6 = withMed(100);
  ipv6.mp_reach = MpReach{Afi::Ipv6, Safi::Unicast, *IpAddress::parse("2001:db8::1"), {}, {}};

  const SharedAttributes base = interner.intern(withMed(100));
  for (const PathAttributes& other : {withMed(101), communities, local_pref, ipv6}) {
    EXPECT_NE(interner.intern(other), base);
  }
}

TEST(AttributeInterner, EqualSetsHashEqual) {
  EXPECT_EQ(hashAttributes(withMed(7)), hashAttributes(withMed(7)));
  EXPECT_NE(hashAttributes(withMed(7)), hashAttributes(withMed(8)));
}

TEST(AttributeInterner, ASetNobodyHoldsIsForgotten) {
  AttributeInterner interner;
  const PathAttributes* before = nullptr;
  {
    const SharedAttributes held = interner.intern(withMed(1));
    before = held.get();
    EXPECT_EQ(interner.size(), 1u);
  }
  EXPECT_EQ(interner.size(), 0u);
  // Many sets come and go: the table does not keep their entries.
  for (std::uint32_t med = 0; med < 1000; ++med) {
    interner.intern(withMed(med));
  }
  EXPECT_EQ(interner.size(), 0u);
  EXPECT_NE(before, nullptr);
}

}  // namespace
}  // namespace vipd::bgp
