#include "bgp/framing.h"

#include <algorithm>
#include <string>

#include "bgp/byte_reader.h"

namespace vipd::bgp {
namespace {

constexpr std::size_t kMarkerSize = 16;

// The least length of each type (RFC 4271 6.1; ROUTE-REFRESH: RFC 2918 3), by type code.
constexpr std::size_t minimumLength(MessageType type) {
  switch (type) {
    case MessageType::Open:
      return 29;
    case MessageType::Update:
      return 23;
    case MessageType::Notification:
      return 21;
    case MessageType::Keepalive:
      return kHeaderSize;
    case MessageType::RouteRefresh:
      return 23;
  }
  return kHeaderSize;
}

std::vector<std::uint8_t> lengthData(std::uint16_t length) {
  return {static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length)};
}

DecodeError badLength(std::uint16_t length, std::string reason) {
  return DecodeError::reset(Notification::of(HeaderError::BadMessageLength, lengthData(length)),
                            "RFC 4271 6.1", "message header: " + std::move(reason));
}

}  // namespace

std::expected<MessageHeader, DecodeError> decodeHeader(std::span<const std::uint8_t> bytes,
                                                       const CodecContext& context) {
  if (bytes.size() < kHeaderSize) {
    return std::unexpected(badLength(0, "only " + std::to_string(bytes.size()) + " octets"));
  }
  ByteReader in(bytes);
  const auto marker = in.bytes(kMarkerSize);
  const auto length = in.u16();
  const auto type = in.u8();

  if (!std::ranges::all_of(*marker, [](std::uint8_t octet) { return octet == 0xFF; })) {
    return std::unexpected(
        DecodeError::reset(Notification::of(HeaderError::ConnectionNotSynchronized), "RFC 4271 6.1",
                           "message header: marker not all ones"));
  }

  if (*length < kHeaderSize || *length > context.maxMessageSize()) {
    return std::unexpected(badLength(*length, "length " + std::to_string(*length) +
                                                  " outside 19.." +
                                                  std::to_string(context.maxMessageSize())));
  }

  if (*type < 1 || *type > 5) {
    return std::unexpected(
        DecodeError::reset(Notification::of(HeaderError::BadMessageType, {*type}), "RFC 4271 6.1",
                           "message header: unknown type " + std::to_string(*type)));
  }

  const auto message_type = static_cast<MessageType>(*type);
  const std::size_t minimum = minimumLength(message_type);
  const std::string name = messageTypeName(*type);
  if (*length < minimum) {
    return std::unexpected(badLength(*length, name + " length " + std::to_string(*length) +
                                                  " below its minimum " + std::to_string(minimum)));
  }
  if (message_type == MessageType::Keepalive && *length != kHeaderSize) {
    return std::unexpected(
        badLength(*length, "keepalive length " + std::to_string(*length) + " is not 19"));
  }
  // RFC 8654 4: extended messages never apply to OPEN (nor KEEPALIVE, fixed above).
  if (message_type == MessageType::Open && *length > kMaxMessageSize) {
    return std::unexpected(
        badLength(*length, "open length " + std::to_string(*length) + " over 4096"));
  }
  return MessageHeader{*length, message_type};
}

std::expected<std::size_t, DecodeError> nextMessageSize(std::span<const std::uint8_t> buffer,
                                                        const CodecContext& context) {
  if (buffer.size() < kHeaderSize) {
    return kHeaderSize;
  }
  const auto header = decodeHeader(buffer, context);
  if (!header) {
    return std::unexpected(header.error());
  }
  return header->length;
}

std::size_t beginMessage(ByteWriter& out, MessageType type) {
  const std::size_t start = out.size();
  for (std::size_t i = 0; i < kMarkerSize; ++i) {
    out.u8(0xFF);
  }
  out.u16(0);
  out.u8(static_cast<std::uint8_t>(type));
  return start;
}

void finishMessage(ByteWriter& out, std::size_t start) {
  out.patchU16(start + kMarkerSize, static_cast<std::uint16_t>(out.size() - start));
}

}  // namespace vipd::bgp
