// The message header (RFC 4271 4.1): its checks (RFC 4271 6.1), and framing: how many bytes
// of a TCP byte stream the next whole message needs, so that the session reads exactly
// that much before it calls decode().
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <span>

#include "bgp/byte_writer.h"
#include "bgp/codec_context.h"
#include "bgp/decode_error.h"
#include "bgp/message.h"

namespace vipd::bgp {

struct MessageHeader {
  std::uint16_t length = 0;  // of the whole message, header included
  MessageType type = MessageType::Keepalive;
};

// Checks the header at the start of bytes, which holds at least kHeaderSize octets
// (RFC 4271 6.1): the marker is all ones (else 1/1); the length is 19 to 4096, or 65535
// with extended messages except for OPEN and KEEPALIVE (RFC 8654 4), and at least the
// type's minimum (else 1/2, data the length field); the type is known (else 1/3, data the
// type).
std::expected<MessageHeader, DecodeError> decodeHeader(std::span<const std::uint8_t> bytes,
                                                       const CodecContext& context);

// How many octets, from the start of buffer, the next message needs: kHeaderSize while
// fewer are buffered, then the length from its (checked) header. A session reads until
// buffer holds that many, then decodes exactly that many. A bad header is an error as soon
// as its 19 octets are in, so a peer cannot make the session wait for a bogus length.
std::expected<std::size_t, DecodeError> nextMessageSize(std::span<const std::uint8_t> buffer,
                                                        const CodecContext& context);

// Appends a header with a placeholder length; returns where the message starts.
std::size_t beginMessage(ByteWriter& out, MessageType type);
// Patches the length of the message that began at start.
void finishMessage(ByteWriter& out, std::size_t start);

}  // namespace vipd::bgp
