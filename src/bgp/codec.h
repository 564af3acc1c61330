// vipd's BGP-4 wire codec: decode() turns one message's bytes into a Message, or into the
// DecodeError that says what the RFCs want done about it; encode() writes a Message.
// Pure: no I/O, no clock, no logging, no global state; std only.
//
// RFCs implemented (docs/bgp-rfcs.md says what of each):
//   RFC 4271  BGP-4: messages, path attributes, error handling (6)
//   RFC 1997  COMMUNITIES                RFC 8092  LARGE_COMMUNITY
//   RFC 2545  IPv6 next hops              RFC 4760  multiprotocol extensions
//   RFC 2918  ROUTE-REFRESH               RFC 7313  enhanced route refresh
//   RFC 4724  graceful restart capability RFC 8538  its N bit
//   RFC 4486  Cease subcodes              RFC 8203, RFC 9003  shutdown communication
//   RFC 5492  capabilities                RFC 9072  extended optional parameters length
//   RFC 6286  BGP identifier              RFC 6793  4-octet AS numbers
//   RFC 6608  FSM error subcodes          RFC 7606  revised UPDATE error handling
//   RFC 7607  AS 0                        RFC 8326  GRACEFUL_SHUTDOWN community
//   RFC 8654  extended messages
//
// A session reads with nextMessageSize() (framing.h), decodes, and on an error sends
// error.notification when error.fatal(); otherwise it applies error.action to
// error.update (decode_error.h). UPDATEs to send are best built with UpdatePacker
// (update_packer.h), which fills each message to the maximum size.
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <vector>

#include "bgp/codec_context.h"
#include "bgp/decode_error.h"
#include "bgp/encode_error.h"
#include "bgp/message.h"

namespace vipd::bgp {

// Decodes exactly one message: message holds its header and body, as many octets as its
// length field says (else 1/2). Checks are listed with each message's decoder (framing.h,
// open_codec.h, update_codec.h, notification_codec.h).
std::expected<Message, DecodeError> decode(std::span<const std::uint8_t> message,
                                           const CodecContext& context);

// Appends the message to out; on failure appends nothing.
std::expected<void, EncodeError> encode(const Message& message, const CodecContext& context,
                                        std::vector<std::uint8_t>& out);
std::expected<std::vector<std::uint8_t>, EncodeError> encode(const Message& message,
                                                             const CodecContext& context);

// The one encoder per message, for callers that know what they send.
std::expected<void, EncodeError> encodeOpen(const Open& open, std::vector<std::uint8_t>& out);
std::expected<void, EncodeError> encodeUpdate(const Update& update, const CodecContext& context,
                                              std::vector<std::uint8_t>& out);
std::expected<void, EncodeError> encodeNotification(const Notification& notification,
                                                    const CodecContext& context,
                                                    std::vector<std::uint8_t>& out);
void encodeKeepalive(std::vector<std::uint8_t>& out);
void encodeRouteRefresh(const RouteRefresh& refresh, std::vector<std::uint8_t>& out);

}  // namespace vipd::bgp
