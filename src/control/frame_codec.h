// FrameCodec: the control socket's framing, shared by the daemon and vipc. A frame is a
// protobuf message preceded by its length as a 4-byte big-endian unsigned integer. Pure: no
// I/O.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <string>

#include "control/control.pb.h"

namespace vipd::control {

inline constexpr std::size_t kFrameHeaderSize = 4;
inline constexpr std::uint32_t kMaxFrameSize = 1024 * 1024;
inline constexpr std::uint32_t kApiVersion = API_VERSION_CURRENT;

class FrameCodec {
 public:
  using Header = std::array<std::uint8_t, kFrameHeaderSize>;

  // The header and body of one message, ready to write.
  static std::string encode(const google::protobuf::MessageLite& message);

  static Header encodeLength(std::uint32_t length);
  static std::uint32_t decodeLength(const Header& header);

  // The request or reply in a body, or why it is not one.
  static std::expected<Request, std::string> decodeRequest(const std::string& body);
  static std::expected<Reply, std::string> decodeReply(const std::string& body);
};

}  // namespace vipd::control
