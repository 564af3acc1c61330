// The path attributes field of UPDATE (RFC 4271 4.3): decoding with the error handling of
// RFC 7606, and encoding. Per-attribute behaviour (flags, length rules, what to do when
// malformed, decoder and encoder) sits in one descriptor table in attributes.cc.
//
// Attributes: ORIGIN, AS_PATH, NEXT_HOP, MULTI_EXIT_DISC, LOCAL_PREF, ATOMIC_AGGREGATE,
// AGGREGATOR (RFC 4271 5.1); COMMUNITIES (RFC 1997); MP_REACH_NLRI and MP_UNREACH_NLRI
// (RFC 4760, IPv6 next hops RFC 2545); AS4_PATH and AS4_AGGREGATOR (RFC 6793);
// LARGE_COMMUNITY (RFC 8092). Unknown optional transitive attributes are kept raw, unknown
// optional non-transitive ones dropped (RFC 4271 5, 9).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "bgp/byte_writer.h"
#include "bgp/codec_context.h"
#include "bgp/decode_error.h"
#include "bgp/path_attributes.h"

namespace vipd::bgp {

// Decodes the path attributes field into out and returns the strongest error met, or
// nullopt. A SessionReset stops at once; after the softer actions decoding goes on, so
// out holds every other attribute (RFC 7606 2). From a 2-octet peer AS4_PATH and
// AS4_AGGREGATOR are merged into as_path and aggregator (RFC 6793 4.2.3); from a 4-octet
// peer they are dropped (RFC 6793 4.1). The mandatory attributes are checked by the
// UPDATE decoder, which knows whether NLRI follow.
std::optional<DecodeError> decodeAttributes(std::span<const std::uint8_t> field,
                                            const CodecContext& context, PathAttributes& out);

enum class MpAttributes : std::uint8_t { Include, Skip };

// Appends the attributes: MP_UNREACH_NLRI and MP_REACH_NLRI first (RFC 7606 5.1), then the
// others by type code; towards a 2-octet peer with AS_TRANS in AS_PATH and AGGREGATOR and
// AS4_PATH and AS4_AGGREGATOR added as needed (RFC 6793 4.2.2). With MpAttributes::Skip
// the two MP attributes are left out (UPDATE packing writes its own).
void encodeAttributes(const PathAttributes& attributes, const CodecContext& context,
                      ByteWriter& out, MpAttributes mp = MpAttributes::Include);

// Writes an attribute's flags, type and length, choosing the extended length (two octets)
// only when the value needs it.
void writeAttributeHeader(ByteWriter& out, std::uint8_t flags, std::uint8_t type,
                          std::size_t length);

// "origin", "as-path", "mp-reach-nlri", ...; "attribute-N" when unknown.
std::string attributeName(std::uint8_t type);

}  // namespace vipd::bgp
