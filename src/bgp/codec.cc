#include "bgp/codec.h"

#include <utility>

#include "bgp/framing.h"
#include "bgp/notification_codec.h"
#include "bgp/open_codec.h"
#include "bgp/update_codec.h"

namespace vipd::bgp {
namespace {

template <typename T, typename E>
std::expected<Message, DecodeError> asMessage(std::expected<T, E> decoded) {
  if (!decoded) {
    return std::unexpected(std::move(decoded.error()));
  }
  return Message(std::move(*decoded));
}

}  // namespace

std::expected<Message, DecodeError> decode(std::span<const std::uint8_t> message,
                                           const CodecContext& context) {
  const auto header = decodeHeader(message, context);
  if (!header) {
    return std::unexpected(header.error());
  }
  if (header->length != message.size()) {
    const auto length = header->length;
    return std::unexpected(DecodeError::reset(
        Notification::of(HeaderError::BadMessageLength, {static_cast<std::uint8_t>(length >> 8),
                                                         static_cast<std::uint8_t>(length)}),
        "RFC 4271 6.1",
        "message header: length " + std::to_string(length) + " but " +
            std::to_string(message.size()) + " octets given"));
  }

  const auto body = message.subspan(kHeaderSize);
  switch (header->type) {
    case MessageType::Open:
      return asMessage(decodeOpen(body));
    case MessageType::Update:
      return asMessage(decodeUpdate(body, context));
    case MessageType::Notification:
      return Message(decodeNotification(body));
    case MessageType::Keepalive:
      return Message(Keepalive{});
    case MessageType::RouteRefresh:
      return asMessage(decodeRouteRefresh(message));
  }
  return std::unexpected(DecodeError::reset(Notification::of(HeaderError::BadMessageType),
                                            "RFC 4271 6.1", "message header: unknown type"));
}

std::expected<void, EncodeError> encode(const Message& message, const CodecContext& context,
                                        std::vector<std::uint8_t>& out) {
  ByteWriter writer(out);
  return std::visit(
      [&](const auto& value) -> std::expected<void, EncodeError> {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, Open>) {
          return encodeOpen(value, writer);
        } else if constexpr (std::is_same_v<T, Update>) {
          return encodeUpdate(value, context, writer);
        } else if constexpr (std::is_same_v<T, Notification>) {
          return encodeNotification(value, context, writer);
        } else if constexpr (std::is_same_v<T, Keepalive>) {
          encodeKeepalive(out);
          return {};
        } else {
          encodeRouteRefresh(value, writer);
          return {};
        }
      },
      message);
}

std::expected<std::vector<std::uint8_t>, EncodeError> encode(const Message& message,
                                                             const CodecContext& context) {
  std::vector<std::uint8_t> out;
  if (auto encoded = encode(message, context, out); !encoded) {
    return std::unexpected(std::move(encoded.error()));
  }
  return out;
}

std::expected<void, EncodeError> encodeOpen(const Open& open, std::vector<std::uint8_t>& out) {
  ByteWriter writer(out);
  return encodeOpen(open, writer);
}

std::expected<void, EncodeError> encodeUpdate(const Update& update, const CodecContext& context,
                                              std::vector<std::uint8_t>& out) {
  ByteWriter writer(out);
  return encodeUpdate(update, context, writer);
}

std::expected<void, EncodeError> encodeNotification(const Notification& notification,
                                                    const CodecContext& context,
                                                    std::vector<std::uint8_t>& out) {
  ByteWriter writer(out);
  return encodeNotification(notification, context, writer);
}

void encodeKeepalive(std::vector<std::uint8_t>& out) {
  ByteWriter writer(out);
  finishMessage(writer, beginMessage(writer, MessageType::Keepalive));
}

void encodeRouteRefresh(const RouteRefresh& refresh, std::vector<std::uint8_t>& out) {
  ByteWriter writer(out);
  encodeRouteRefresh(refresh, writer);
}

}  // namespace vipd::bgp
