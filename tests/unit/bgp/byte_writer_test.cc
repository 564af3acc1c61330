#include "bgp/byte_writer.h"

#include <gtest/gtest.h>

#include <vector>

namespace vipd::bgp {
namespace {

TEST(ByteWriter, AppendsBigEndianFieldsAfterWhatIsThere) {
  std::vector<std::uint8_t> buffer = {0xEE};
  ByteWriter out(buffer);
  out.u8(0x01);
  out.u16(0x0203);
  out.u32(0x04050607);
  const std::vector<std::uint8_t> tail = {0x08, 0x09};
  out.bytes(tail);
  EXPECT_EQ(buffer, (std::vector<std::uint8_t>{0xEE, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(out.size(), 10u);
}

TEST(ByteWriter, PatchesPlaceholdersOnceTheBodyIsKnown) {
  std::vector<std::uint8_t> buffer;
  ByteWriter out(buffer);
  const std::size_t length16 = out.placeholderU16();
  const std::size_t length8 = out.placeholderU8();
  out.u32(0xDEADBEEF);
  out.patchU16(length16, 0x1234);
  out.patchU8(length8, 4);
  EXPECT_EQ(buffer, (std::vector<std::uint8_t>{0x12, 0x34, 4, 0xDE, 0xAD, 0xBE, 0xEF}));
}

}  // namespace
}  // namespace vipd::bgp
