#include "bgp/byte_reader.h"

#include <gtest/gtest.h>

#include <vector>

namespace vipd::bgp {
namespace {

TEST(ByteReader, ReadsBigEndianFields) {
  const std::vector<std::uint8_t> bytes = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};
  ByteReader in(bytes);
  EXPECT_EQ(in.u8(), 0x01);
  EXPECT_EQ(in.u16(), 0x0203);
  EXPECT_EQ(in.u32(), 0x04050607u);
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(in.offset(), 7u);
}

TEST(ByteReader, RefusesToReadPastTheEndAndConsumesNothingThen) {
  const std::vector<std::uint8_t> bytes = {0xAA, 0xBB, 0xCC};
  ByteReader in(bytes);
  EXPECT_FALSE(in.u32().has_value());
  EXPECT_FALSE(in.bytes(4).has_value());
  EXPECT_FALSE(in.sub(4).has_value());
  EXPECT_EQ(in.remaining(), 3u);
  EXPECT_EQ(in.u16(), 0xAABB);
  EXPECT_FALSE(in.u16().has_value());
  EXPECT_EQ(in.peekU8(), 0xCC);
  EXPECT_EQ(in.u8(), 0xCC);
  EXPECT_FALSE(in.u8().has_value());
  EXPECT_FALSE(in.peekU8().has_value());
}

TEST(ByteReader, SubReaderSeesOnlyItsField) {
  const std::vector<std::uint8_t> bytes = {0x02, 0x11, 0x22, 0x33};
  ByteReader in(bytes);
  auto field = in.sub(*in.u8());
  ASSERT_TRUE(field.has_value());
  EXPECT_EQ(field->u16(), 0x1122);
  EXPECT_FALSE(field->u8().has_value());
  EXPECT_EQ(in.u8(), 0x33);
}

TEST(ByteReader, RestConsumesEverythingLeft) {
  const std::vector<std::uint8_t> bytes = {1, 2, 3};
  ByteReader in(bytes);
  in.u8();
  EXPECT_EQ(in.peekRest().size(), 2u);
  EXPECT_EQ(in.rest().size(), 2u);
  EXPECT_TRUE(in.empty());
  EXPECT_TRUE(in.rest().empty());
}

}  // namespace
}  // namespace vipd::bgp
