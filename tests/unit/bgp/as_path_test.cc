#include "bgp/as_path.h"

#include <gtest/gtest.h>

#include "hex.h"

namespace vipd::bgp {
namespace {

using testing::hex;
using testing::toHex;

AsPathSegment set(std::vector<std::uint32_t> asns) {
  return {SegmentType::AsSet, std::move(asns)};
}
AsPathSegment sequence(std::vector<std::uint32_t> asns) {
  return {SegmentType::AsSequence, std::move(asns)};
}
AsPathSegment confedSequence(std::vector<std::uint32_t> asns) {
  return {SegmentType::ConfedSequence, std::move(asns)};
}

std::string encoded(const AsPath& path, AsWidth width) {
  std::vector<std::uint8_t> out;
  ByteWriter writer(out);
  path.encode(writer, width);
  EXPECT_EQ(out.size(), path.encodedSize(width));
  return toHex(out);
}

TEST(AsPath, EncodesSequencesAndSetsInBothWidths) {
  const AsPath path({sequence({64512, 65000}), set({64496, 64497})});
  // Segment type 2, two ASes; type 1, two ASes.
  EXPECT_EQ(encoded(path, AsWidth::Two), toHex(hex("02 02 fc00 fde8  01 02 fbf0 fbf1")));
  EXPECT_EQ(encoded(path, AsWidth::Four),
            toHex(hex("02 02 0000fc00 0000fde8  01 02 0000fbf0 0000fbf1")));
}

TEST(AsPath, WritesAsTransForFourOctetAsesInTwoOctets) {
  const AsPath path = AsPath::sequence({4200000001, 64512});
  EXPECT_EQ(encoded(path, AsWidth::Two), toHex(hex("02 02 5ba0 fc00")));
  EXPECT_TRUE(path.needsFourOctets());
  EXPECT_FALSE(AsPath::sequence({64512}).needsFourOctets());
  EXPECT_FALSE(AsPath({confedSequence({4200000001})}).needsFourOctets());
}

TEST(AsPath, DecodesWhatItEncodes) {
  const AsPath path({confedSequence({64600}), sequence({64512, 4200000001}), set({1, 2, 3})});
  for (const AsWidth width : {AsWidth::Two, AsWidth::Four}) {
    std::vector<std::uint8_t> out;
    ByteWriter writer(out);
    path.encode(writer, width);
    const auto decoded = AsPath::decode(out, width);
    ASSERT_TRUE(decoded.has_value()) << decoded.error();
    if (width == AsWidth::Four) {
      EXPECT_EQ(*decoded, path);
    } else {
      EXPECT_EQ(decoded->toString(), "(64600) 64512 23456 {1 2 3}");
    }
  }
}

TEST(AsPath, SplitsLongSequencesAndJoinsThemBack) {
  std::vector<std::uint32_t> asns;
  for (std::uint32_t asn = 1; asn <= 300; ++asn) {
    asns.push_back(asn);
  }
  const AsPath path = AsPath::sequence(asns);
  std::vector<std::uint8_t> out;
  ByteWriter writer(out);
  path.encode(writer, AsWidth::Four);
  EXPECT_EQ(out[1], 255);               // first segment: 255 ASes
  EXPECT_EQ(out[2 + 255 * 4 + 1], 45);  // then the other 45
  const auto decoded = AsPath::decode(out, AsWidth::Four);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, path);
  EXPECT_EQ(decoded->segments().size(), 1u);
  EXPECT_EQ(decoded->length(), 300u);
}

TEST(AsPath, CountsTheLengthOfRouteSelection) {
  const AsPath path({confedSequence({64600, 64601}), sequence({1, 2, 3}), set({4, 5})});
  EXPECT_EQ(path.length(), 4u);  // confederations 0, the set 1
  EXPECT_EQ(path.firstAs(), std::nullopt);
  EXPECT_EQ(AsPath::sequence({65000, 1}).firstAs(), 65000u);
  EXPECT_TRUE(path.contains(5));
  EXPECT_FALSE(path.contains(6));
}

TEST(AsPath, NormalizesEmptyAndAdjacentSegments) {
  const AsPath path({sequence({}), sequence({1}), sequence({2}), set({3}), set({4})});
  EXPECT_EQ(path.toString(), "1 2 {3} {4}");
  EXPECT_TRUE(AsPath({sequence({})}).empty());
}

TEST(AsPath, PrependsToTheLeadingSequence) {
  AsPath path = AsPath::sequence({65000});
  path.prepend(64512);
  EXPECT_EQ(path.toString(), "64512 65000");
  AsPath from_set({set({1, 2})});
  from_set.prepend(64512);
  EXPECT_EQ(from_set.toString(), "64512 {1 2}");
  AsPath empty;
  empty.prepend(64512);
  EXPECT_EQ(empty, AsPath::sequence({64512}));
}

TEST(AsPath, RefusesMalformedPaths) {
  const struct {
    const char* name;
    const char* value;
    AsWidth width;
  } cases[] = {
      {"unknown segment type", "05 01 fc00", AsWidth::Two},
      {"segment type 0", "00 01 fc00", AsWidth::Two},
      {"overrun", "02 03 fc00 fc01", AsWidth::Two},
      {"overrun in four octets", "02 01 0000fc", AsWidth::Four},
      {"a lone trailing octet", "02 01 fc00 02", AsWidth::Two},
      {"empty segment", "02 00", AsWidth::Two},
      {"AS 0", "02 02 fc00 0000", AsWidth::Two},
  };
  for (const auto& c : cases) {
    EXPECT_FALSE(AsPath::decode(hex(c.value), c.width).has_value()) << c.name;
  }
  EXPECT_TRUE(AsPath::decode({}, AsWidth::Two).has_value());
}

struct MergeCase {
  const char* name;
  AsPath as_path;
  AsPath as4_path;
  const char* merged;
};

TEST(AsPath, MergesAs4PathAsRfc6793Says) {
  const MergeCase cases[] = {
      {"same length: AS4_PATH wins", AsPath::sequence({23456, 64512}),
       AsPath::sequence({4200000001, 64512}), "4200000001 64512"},
      {"AS_PATH longer: its leading ASes are kept", AsPath::sequence({65000, 65001, 23456}),
       AsPath::sequence({4200000001}), "65000 65001 4200000001"},
      {"AS4_PATH longer: ignored", AsPath::sequence({23456}),
       AsPath::sequence({4200000001, 4200000002}), "23456"},
      {"a set counts one", AsPath({set({1, 2, 3}), sequence({23456})}),
       AsPath::sequence({4200000001}), "{1 2 3} 4200000001"},
      {"a leading confederation is kept", AsPath({confedSequence({64600}), sequence({23456})}),
       AsPath::sequence({4200000001}), "(64600) 4200000001"},
      {"split inside a sequence", AsPath::sequence({1, 2, 3, 23456, 23456}),
       AsPath::sequence({4200000001, 4200000002}), "1 2 3 4200000001 4200000002"},
      {"empty AS4_PATH", AsPath::sequence({1, 2}), AsPath(), "1 2"},
  };
  for (const MergeCase& c : cases) {
    EXPECT_EQ(AsPath::merge(c.as_path, c.as4_path).toString(), c.merged) << c.name;
  }
}

TEST(AsPath, LeavesConfederationsOutOfAs4Path) {
  const AsPath path({confedSequence({64600}), sequence({4200000001})});
  EXPECT_EQ(path.withoutConfederations(), AsPath::sequence({4200000001}));
}

}  // namespace
}  // namespace vipd::bgp
