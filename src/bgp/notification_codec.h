// NOTIFICATION (RFC 4271 4.5) and ROUTE-REFRESH (RFC 2918 3, RFC 7313 3) on the wire.
#pragma once

#include <expected>
#include <span>

#include "bgp/byte_writer.h"
#include "bgp/codec_context.h"
#include "bgp/decode_error.h"
#include "bgp/encode_error.h"
#include "bgp/message.h"

namespace vipd::bgp {

// A NOTIFICATION body: code, subcode, and the rest as data, unjudged (a bad shutdown
// communication is no error, RFC 9003 3; an unknown code still ends the session).
Notification decodeNotification(std::span<const std::uint8_t> body);
std::expected<void, EncodeError> encodeNotification(const Notification& notification,
                                                    const CodecContext& context, ByteWriter& out);

// A whole ROUTE-REFRESH message (header included, for the error's data): longer than 23
// octets is 7/1 with the whole message as data (RFC 7313 5). Unknown subtypes and
// families are returned for the caller to ignore (RFC 7313 5, RFC 2918 4).
std::expected<RouteRefresh, DecodeError> decodeRouteRefresh(std::span<const std::uint8_t> message);
void encodeRouteRefresh(const RouteRefresh& refresh, ByteWriter& out);

}  // namespace vipd::bgp
