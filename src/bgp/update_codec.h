// UPDATE (RFC 4271 4.3): decoding with the checks of RFC 4271 6.3 as revised by RFC 7606,
// and encoding of one message exactly as given (update_packer.h builds many from routes).
#pragma once

#include <expected>
#include <span>

#include "bgp/byte_writer.h"
#include "bgp/codec_context.h"
#include "bgp/decode_error.h"
#include "bgp/encode_error.h"
#include "bgp/message.h"

namespace vipd::bgp {

// Decodes an UPDATE body (after the header). Session reset (RFC 4271 6.3, RFC 7606): the
// withdrawn routes or attribute lengths overrun the message (3/1); a withdrawn routes or
// NLRI field syntactically incorrect or for IPv4 unicast not negotiated (3/10); a bad or
// repeated MP attribute (3/9, 3/1); an unrecognized well-known attribute (3/2). The softer
// actions of RFC 7606 for the other attributes (see attributes.h), and treat-as-withdraw
// when ORIGIN or AS_PATH is missing beside NLRI, or NEXT_HOP beside an IPv4 NLRI field
// (3/3, data the missing type; RFC 7606 3(d)). NEXT_HOP's value is the caller's to judge.
std::expected<Update, DecodeError> decodeUpdate(std::span<const std::uint8_t> body,
                                                const CodecContext& context);

// Appends the whole message. Fails, appending nothing, when it would exceed the context's
// maximum size or when a prefix does not belong where it is (an IPv6 prefix in withdrawn or
// nlri, or one of the wrong family in an MP attribute).
std::expected<void, EncodeError> encodeUpdate(const Update& update, const CodecContext& context,
                                              ByteWriter& out);

}  // namespace vipd::bgp
