#include "control/frame_codec.h"

namespace vipd::control {

std::string FrameCodec::encode(const google::protobuf::MessageLite& message) {
  std::string body;
  message.SerializeToString(&body);
  const auto header = encodeLength(static_cast<std::uint32_t>(body.size()));
  std::string frame(header.begin(), header.end());
  frame += body;
  return frame;
}

FrameCodec::Header FrameCodec::encodeLength(std::uint32_t length) {
  return {static_cast<std::uint8_t>(length >> 24), static_cast<std::uint8_t>(length >> 16),
          static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length)};
}

std::uint32_t FrameCodec::decodeLength(const Header& header) {
  return (std::uint32_t{header[0]} << 24) | (std::uint32_t{header[1]} << 16) |
         (std::uint32_t{header[2]} << 8) | std::uint32_t{header[3]};
}

std::expected<Request, std::string> FrameCodec::decodeRequest(const std::string& body) {
  Request request;
  if (!request.ParseFromString(body)) {
    return std::unexpected("the request is not a valid vipd.control.Request message");
  }
  return request;
}

std::expected<Reply, std::string> FrameCodec::decodeReply(const std::string& body) {
  Reply reply;
  if (!reply.ParseFromString(body)) {
    return std::unexpected("the reply is not a valid vipd.control.Reply message");
  }
  return reply;
}

}  // namespace vipd::control
