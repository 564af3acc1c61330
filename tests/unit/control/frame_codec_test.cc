#include "control/frame_codec.h"

#include <gtest/gtest.h>

namespace vipd::control {
namespace {

TEST(FrameCodec, TheLengthIsFourBytesBigEndian) {
  EXPECT_EQ(FrameCodec::encodeLength(0x01020304), (FrameCodec::Header{1, 2, 3, 4}));
  EXPECT_EQ(FrameCodec::decodeLength({0, 0x10, 0, 0}), 1024u * 1024u);
  EXPECT_EQ(FrameCodec::decodeLength(FrameCodec::encodeLength(0xfffffffe)), 0xfffffffeu);
}

TEST(FrameCodec, AFrameIsTheHeaderThenTheMessage) {
  Request request;
  request.set_version(kApiVersion);
  request.mutable_show_protocols()->set_peer("router1");
  const auto frame = FrameCodec::encode(request);
  ASSERT_GT(frame.size(), kFrameHeaderSize);
  FrameCodec::Header header{};
  std::copy_n(frame.begin(), kFrameHeaderSize, header.begin());
  EXPECT_EQ(FrameCodec::decodeLength(header), frame.size() - kFrameHeaderSize);
  const auto decoded = FrameCodec::decodeRequest(frame.substr(kFrameHeaderSize));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->show_protocols().peer(), "router1");
}

TEST(FrameCodec, ABodyThatIsNotAMessageIsAnError) {
  EXPECT_FALSE(FrameCodec::decodeRequest(std::string("\xff\xff\xff", 3)));
  EXPECT_FALSE(FrameCodec::decodeReply(std::string("\x0a\x05", 2)));
}

}  // namespace
}  // namespace vipd::control
