// OPEN (RFC 4271 4.2) with its optional parameters: capabilities (RFC 5492 4), in the
// extended optional parameters form of RFC 9072 when they exceed 255 octets.
#pragma once

#include <cstdint>
#include <expected>
#include <span>

#include "bgp/byte_writer.h"
#include "bgp/decode_error.h"
#include "bgp/encode_error.h"
#include "bgp/message.h"

namespace vipd::bgp {

// Decodes an OPEN body (after the header) and checks it (RFC 4271 6.2): version 4 (else
// 2/1, data the version vipd speaks), my AS not 0 (else 2/2, RFC 7607 2), hold time 0 or
// at least 3 (else 2/6), BGP identifier not 0 (else 2/3, RFC 6286 2.2), optional parameters
// only capabilities (else 2/4), well formed (else 2/0), a 4-octet AS not 0 (else 2/2).
// Checks that need the configuration (the expected peer AS, the local identifier) are
// checkPeerOpen's (open_checks.h).
std::expected<Open, DecodeError> decodeOpen(std::span<const std::uint8_t> body);

// Appends the whole message. Fails when a capability exceeds 255 octets or the message
// 4096 (RFC 8654 4: OPEN is never extended).
std::expected<void, EncodeError> encodeOpen(const Open& open, ByteWriter& out);

}  // namespace vipd::bgp
