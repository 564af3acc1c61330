#include "bgp/notification_codec.h"

#include "bgp/byte_reader.h"
#include "bgp/framing.h"

namespace vipd::bgp {

Notification decodeNotification(std::span<const std::uint8_t> body) {
  // The header check guaranteed code and subcode.
  ByteReader in(body);
  Notification notification;
  notification.code = *in.u8();
  notification.subcode = *in.u8();
  const auto data = in.rest();
  notification.data.assign(data.begin(), data.end());
  return notification;
}

std::expected<void, EncodeError> encodeNotification(const Notification& notification,
                                                    const CodecContext& context, ByteWriter& out) {
  const std::size_t size = kHeaderSize + 2 + notification.data.size();
  if (size > context.maxMessageSize()) {
    return std::unexpected(EncodeError{"notification of " + std::to_string(size) + " octets"});
  }
  const std::size_t start = beginMessage(out, MessageType::Notification);
  out.u8(notification.code);
  out.u8(notification.subcode);
  out.bytes(notification.data);
  finishMessage(out, start);
  return {};
}

std::expected<RouteRefresh, DecodeError> decodeRouteRefresh(std::span<const std::uint8_t> message) {
  constexpr std::size_t kRouteRefreshSize = kHeaderSize + 4;
  if (message.size() != kRouteRefreshSize) {
    return std::unexpected(DecodeError::reset(
        Notification::of(RouteRefreshError::InvalidMessageLength, {message.begin(), message.end()}),
        "RFC 7313 5", "route-refresh: length " + std::to_string(message.size()) + " is not 23"));
  }

  // AFI (2), subtype (1, reserved before RFC 7313), SAFI (1).
  ByteReader in(message.subspan(kHeaderSize));
  RouteRefresh refresh;
  refresh.family.afi = *in.u16();
  refresh.subtype = *in.u8();
  refresh.family.safi = *in.u8();
  return refresh;
}

void encodeRouteRefresh(const RouteRefresh& refresh, ByteWriter& out) {
  const std::size_t start = beginMessage(out, MessageType::RouteRefresh);
  out.u16(refresh.family.afi);
  out.u8(refresh.subtype);
  out.u8(refresh.family.safi);
  finishMessage(out, start);
}

}  // namespace vipd::bgp
