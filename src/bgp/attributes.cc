#include "bgp/attributes.h"

#include <algorithm>
#include <array>
#include <bitset>
#include <utility>

#include "bgp/byte_reader.h"
#include "bgp/nlri.h"

namespace vipd::bgp {
namespace {

// The Optional and Transitive bits each category of attribute carries (RFC 4271 4.3, 5).
constexpr std::uint8_t kWellKnown = kFlagTransitive;
constexpr std::uint8_t kOptionalTransitive = kFlagOptional | kFlagTransitive;
constexpr std::uint8_t kOptionalNonTransitive = kFlagOptional;
constexpr std::uint8_t kCategoryBits = kFlagOptional | kFlagTransitive;

// What a decoder found wrong with an attribute's value.
struct Fault {
  UpdateError subcode;
  std::string reason;
  std::string_view section = {};                     // when not the descriptor's
  std::optional<ErrorAction> action = std::nullopt;  // when not the descriptor's
};

using Result = std::optional<Fault>;

// What decoders share while one attributes field is read.
struct DecodeState {
  const CodecContext& context;
  PathAttributes& out;
  std::optional<AsPath> as4_path;
  std::optional<Aggregator> as4_aggregator;
};

Fault lengthFault(std::string_view name, std::size_t length) {
  return Fault{UpdateError::AttributeLengthError,
               std::string(name) + " of length " + std::to_string(length)};
}

IpAddress readV4(ByteReader& in) {
  const auto b = *in.bytes(4);
  return IpAddress::fromV4({b[0], b[1], b[2], b[3]});
}

IpAddress readV6(ByteReader& in) {
  const auto b = *in.bytes(16);
  std::array<std::uint8_t, 16> bytes{};
  std::copy(b.begin(), b.end(), bytes.begin());
  return IpAddress::fromV6(bytes);
}

void writeV4(ByteWriter& out, const IpAddress& address) {
  out.bytes(std::span(address.bytes()).first(4));
}

void writeV6(ByteWriter& out, const IpAddress& address) {
  out.bytes(address.bytes());
}

// Each attribute below: its decoder, then its encoder. A decoder writes to state.out only
// once the whole value is known good, so a fault leaves the attribute absent.

// --- ORIGIN (RFC 4271 5.1.1) ---------------------------------------------------------------

Result decodeOrigin(ByteReader value, DecodeState& state) {
  if (value.remaining() != 1) {
    return lengthFault("origin", value.remaining());
  }
  const std::uint8_t origin = *value.u8();
  if (origin > std::to_underlying(Origin::Incomplete)) {
    return Fault{UpdateError::InvalidOriginAttribute, "origin value " + std::to_string(origin)};
  }
  state.out.origin = static_cast<Origin>(origin);
  return std::nullopt;
}

void encodeOrigin(const PathAttributes& attributes, const CodecContext&, ByteWriter& out) {
  if (attributes.origin) {
    writeAttributeHeader(out, kWellKnown, std::to_underlying(AttributeType::Origin), 1);
    out.u8(std::to_underlying(*attributes.origin));
  }
}

// --- AS_PATH (RFC 4271 5.1.2, RFC 6793 4) ---------------------------------------------------

Result decodeAsPath(ByteReader value, DecodeState& state) {
  auto path = AsPath::decode(value.rest(), state.context.asWidth());
  if (!path) {
    return Fault{UpdateError::MalformedAsPath, "as-path: " + path.error()};
  }
  state.out.as_path = std::move(*path);
  return std::nullopt;
}

void encodeAsPath(const PathAttributes& attributes, const CodecContext& context, ByteWriter& out) {
  if (attributes.as_path) {
    const AsWidth width = context.asWidth();
    writeAttributeHeader(out, kWellKnown, std::to_underlying(AttributeType::AsPath),
                         attributes.as_path->encodedSize(width));
    attributes.as_path->encode(out, width);
  }
}

// --- NEXT_HOP (RFC 4271 5.1.3) ---------------------------------------------------------------

Result decodeNextHop(ByteReader value, DecodeState& state) {
  if (value.remaining() != 4) {
    return lengthFault("next-hop", value.remaining());
  }
  state.out.next_hop = readV4(value);
  return std::nullopt;
}

void encodeNextHop(const PathAttributes& attributes, const CodecContext&, ByteWriter& out) {
  if (attributes.next_hop) {
    writeAttributeHeader(out, kWellKnown, std::to_underlying(AttributeType::NextHop), 4);
    writeV4(out, *attributes.next_hop);
  }
}

// --- MULTI_EXIT_DISC and LOCAL_PREF (RFC 4271 5.1.4, 5.1.5) -------------------------------------

Result decodeU32(ByteReader value, std::optional<std::uint32_t>& field, std::string_view name) {
  if (value.remaining() != 4) {
    return lengthFault(name, value.remaining());
  }
  field = *value.u32();
  return std::nullopt;
}

void encodeU32(const std::optional<std::uint32_t>& field, std::uint8_t flags, AttributeType type,
               ByteWriter& out) {
  if (field) {
    writeAttributeHeader(out, flags, std::to_underlying(type), 4);
    out.u32(*field);
  }
}

Result decodeMultiExitDisc(ByteReader value, DecodeState& state) {
  return decodeU32(value, state.out.multi_exit_disc, "multi-exit-disc");
}

void encodeMultiExitDisc(const PathAttributes& attributes, const CodecContext&, ByteWriter& out) {
  encodeU32(attributes.multi_exit_disc, kOptionalNonTransitive, AttributeType::MultiExitDisc, out);
}

Result decodeLocalPref(ByteReader value, DecodeState& state) {
  return decodeU32(value, state.out.local_pref, "local-pref");
}

void encodeLocalPref(const PathAttributes& attributes, const CodecContext&, ByteWriter& out) {
  encodeU32(attributes.local_pref, kWellKnown, AttributeType::LocalPref, out);
}

// --- ATOMIC_AGGREGATE (RFC 4271 5.1.6) -----------------------------------------------------------

Result decodeAtomicAggregate(ByteReader value, DecodeState& state) {
  if (!value.empty()) {
    return lengthFault("atomic-aggregate", value.remaining());
  }
  state.out.atomic_aggregate = true;
  return std::nullopt;
}

void encodeAtomicAggregate(const PathAttributes& attributes, const CodecContext&, ByteWriter& out) {
  if (attributes.atomic_aggregate) {
    writeAttributeHeader(out, kWellKnown, std::to_underlying(AttributeType::AtomicAggregate), 0);
  }
}

// --- AGGREGATOR (RFC 4271 5.1.7, RFC 6793 4) and AS4_AGGREGATOR (RFC 6793 3) ------------------

std::expected<Aggregator, Fault> readAggregator(ByteReader value, AsWidth width,
                                                std::string_view name) {
  const std::size_t expected = static_cast<std::size_t>(width) + 4;
  if (value.remaining() != expected) {
    return std::unexpected(lengthFault(name, value.remaining()));
  }
  const std::uint32_t asn = width == AsWidth::Four ? *value.u32() : *value.u16();
  if (asn == 0) {
    return std::unexpected(
        Fault{UpdateError::OptionalAttributeError, std::string(name) + " with AS 0", "RFC 7607 2"});
  }
  return Aggregator{asn, readV4(value)};
}

Result decodeAggregator(ByteReader value, DecodeState& state) {
  auto aggregator = readAggregator(value, state.context.asWidth(), "aggregator");
  if (!aggregator) {
    return aggregator.error();
  }
  state.out.aggregator = *aggregator;
  return std::nullopt;
}

// Towards a 2-octet peer the AGGREGATOR AS is AS_TRANS when it needs 4 octets, and also
// when AS4_PATH goes out: a real AS there would tell the receiver to ignore AS4_PATH
// (RFC 6793 4.2.3).
bool aggregatorNeedsAs4(const PathAttributes& attributes, const CodecContext& context) {
  if (context.four_octet_as || !attributes.aggregator) {
    return false;
  }
  return attributes.aggregator->asn > 0xFFFF ||
         (attributes.as_path && attributes.as_path->needsFourOctets());
}

void encodeAggregator(const PathAttributes& attributes, const CodecContext& context,
                      ByteWriter& out) {
  if (!attributes.aggregator) {
    return;
  }
  const std::uint8_t type = std::to_underlying(AttributeType::Aggregator);
  if (context.four_octet_as) {
    writeAttributeHeader(out, kOptionalTransitive, type, 8);
    out.u32(attributes.aggregator->asn);
  } else {
    writeAttributeHeader(out, kOptionalTransitive, type, 6);
    const bool trans = aggregatorNeedsAs4(attributes, context);
    out.u16(static_cast<std::uint16_t>(trans ? kAsTrans : attributes.aggregator->asn));
  }
  writeV4(out, attributes.aggregator->address);
}

Result decodeAs4Aggregator(ByteReader value, DecodeState& state) {
  if (state.context.four_octet_as) {
    return std::nullopt;  // RFC 6793 4.1: between 4-octet speakers, discarded
  }
  auto aggregator = readAggregator(value, AsWidth::Four, "as4-aggregator");
  if (!aggregator) {
    return aggregator.error();
  }
  state.as4_aggregator = *aggregator;
  return std::nullopt;
}

void encodeAs4Aggregator(const PathAttributes& attributes, const CodecContext& context,
                         ByteWriter& out) {
  if (aggregatorNeedsAs4(attributes, context)) {
    writeAttributeHeader(out, kOptionalTransitive, std::to_underlying(AttributeType::As4Aggregator),
                         8);
    out.u32(attributes.aggregator->asn);
    writeV4(out, attributes.aggregator->address);
  }
}

// --- AS4_PATH (RFC 6793 3, 4.2.2, 6)
// --------------------------------------------------------------

Result decodeAs4Path(ByteReader value, DecodeState& state) {
  if (state.context.four_octet_as) {
    return std::nullopt;  // RFC 6793 4.1: between 4-octet speakers, discarded
  }
  auto path = AsPath::decode(value.rest(), AsWidth::Four);
  if (!path) {
    return Fault{UpdateError::OptionalAttributeError, "as4-path: " + path.error()};
  }
  // RFC 6793 4.2.2: AS4_PATH never carries confederation segments.
  if (!(path->withoutConfederations() == *path)) {
    return Fault{UpdateError::OptionalAttributeError, "as4-path with confederation segments"};
  }
  state.as4_path = std::move(*path);
  return std::nullopt;
}

void encodeAs4Path(const PathAttributes& attributes, const CodecContext& context, ByteWriter& out) {
  if (context.four_octet_as || !attributes.as_path || !attributes.as_path->needsFourOctets()) {
    return;  // RFC 6793 4.2.2: only when some AS cannot be written in 2 octets
  }
  const AsPath path = attributes.as_path->withoutConfederations();
  writeAttributeHeader(out, kOptionalTransitive, std::to_underlying(AttributeType::As4Path),
                       path.encodedSize(AsWidth::Four));
  path.encode(out, AsWidth::Four);
}

// --- COMMUNITIES (RFC 1997) and LARGE_COMMUNITY (RFC 8092) ---------------------------------------

Result decodeCommunities(ByteReader value, DecodeState& state) {
  // RFC 7606 7.8: malformed unless a non-zero multiple of 4.
  if (value.empty() || value.remaining() % 4 != 0) {
    return lengthFault("communities", value.remaining());
  }
  std::vector<Community> communities;
  communities.reserve(value.remaining() / 4);
  while (!value.empty()) {
    communities.push_back(Community{*value.u32()});
  }
  state.out.communities = std::move(communities);
  return std::nullopt;
}

void encodeCommunities(const PathAttributes& attributes, const CodecContext&, ByteWriter& out) {
  if (attributes.communities.empty()) {
    return;
  }
  writeAttributeHeader(out, kOptionalTransitive, std::to_underlying(AttributeType::Communities),
                       attributes.communities.size() * 4);
  for (const Community community : attributes.communities) {
    out.u32(community.value);
  }
}

Result decodeLargeCommunities(ByteReader value, DecodeState& state) {
  // RFC 8092 6: malformed unless a non-zero multiple of 12.
  if (value.empty() || value.remaining() % 12 != 0) {
    return lengthFault("large-communities", value.remaining());
  }
  std::vector<LargeCommunity> communities;
  communities.reserve(value.remaining() / 12);
  while (!value.empty()) {
    const std::uint32_t global = *value.u32();
    const std::uint32_t local_1 = *value.u32();
    communities.push_back(LargeCommunity{global, local_1, *value.u32()});
  }
  state.out.large_communities = std::move(communities);
  return std::nullopt;
}

void encodeLargeCommunities(const PathAttributes& attributes, const CodecContext&,
                            ByteWriter& out) {
  if (attributes.large_communities.empty()) {
    return;
  }
  writeAttributeHeader(out, kOptionalTransitive,
                       std::to_underlying(AttributeType::LargeCommunities),
                       attributes.large_communities.size() * 12);
  for (const LargeCommunity& community : attributes.large_communities) {
    out.u32(community.global_administrator);
    out.u32(community.local_data_1);
    out.u32(community.local_data_2);
  }
}

// --- MP_REACH_NLRI and MP_UNREACH_NLRI (RFC 4760 3, 4; RFC 2545 3) ----------------------------

// The family of an MP attribute: IPv4 or IPv6 unicast, the only ones a session can have
// negotiated with this codec (RFC 4760 7, 8).
std::expected<Afi, Fault> readFamily(ByteReader& value, const CodecContext& context,
                                     std::string_view name) {
  const auto afi = value.u16();
  const auto safi = value.u8();
  if (!safi) {
    return std::unexpected(Fault{UpdateError::OptionalAttributeError,
                                 std::string(name) + " shorter than its AFI and SAFI"});
  }
  const AfiSafi family{*afi, *safi};
  if (!context.carries(family)) {
    return std::unexpected(Fault{UpdateError::OptionalAttributeError,
                                 std::string(name) + " for AFI " + std::to_string(*afi) + " SAFI " +
                                     std::to_string(*safi) + ", not negotiated",
                                 "RFC 4760 7"});
  }
  return static_cast<Afi>(*afi);
}

Result decodeMpReach(ByteReader value, DecodeState& state) {
  const auto afi = readFamily(value, state.context, "mp-reach-nlri");
  if (!afi) {
    return afi.error();
  }

  // RFC 7606 7.11: a next hop length the family does not allow leaves the NLRI unlocatable.
  const auto length = value.u8();
  const bool v4 = *afi == Afi::Ipv4;
  const bool length_ok = length && (v4 ? *length == 4 : (*length == 16 || *length == 32));
  if (!length_ok || value.remaining() < std::size_t{*length} + 1) {
    return Fault{UpdateError::OptionalAttributeError,
                 "mp-reach-nlri next hop of length " + (length ? std::to_string(*length) : "?"),
                 "RFC 7606 7.11"};
  }

  MpReach reach{*afi, Safi::Unicast, {}, std::nullopt, {}};
  reach.next_hop = v4 ? readV4(value) : readV6(value);
  if (*length == 32) {
    reach.link_local = readV6(value);
  }
  value.u8();  // reserved: ignored on receipt (RFC 4760 3)

  if (auto nlri = decodePrefixes(value.rest(), familyOf(*afi), reach.nlri); !nlri) {
    return Fault{UpdateError::OptionalAttributeError, "mp-reach-nlri: " + nlri.error(),
                 "RFC 7606 5.3"};
  }
  state.out.mp_reach = std::move(reach);
  return std::nullopt;
}

std::size_t nextHopLength(const MpReach& reach) {
  if (reach.afi == Afi::Ipv4) {
    return 4;
  }
  return reach.link_local ? 32 : 16;
}

std::size_t prefixesSize(const std::vector<Prefix>& prefixes) {
  std::size_t size = 0;
  for (const Prefix& prefix : prefixes) {
    size += encodedPrefixSize(prefix);
  }
  return size;
}

void encodeMpReach(const PathAttributes& attributes, const CodecContext&, ByteWriter& out) {
  if (!attributes.mp_reach) {
    return;
  }
  const MpReach& reach = *attributes.mp_reach;
  const std::size_t next_hop_length = nextHopLength(reach);
  writeAttributeHeader(out, kOptionalNonTransitive, std::to_underlying(AttributeType::MpReachNlri),
                       5 + next_hop_length + prefixesSize(reach.nlri));
  out.u16(std::to_underlying(reach.afi));
  out.u8(std::to_underlying(reach.safi));
  out.u8(static_cast<std::uint8_t>(next_hop_length));
  if (reach.afi == Afi::Ipv4) {
    writeV4(out, reach.next_hop);
  } else {
    writeV6(out, reach.next_hop);
    if (reach.link_local) {
      writeV6(out, *reach.link_local);
    }
  }
  out.u8(0);
  for (const Prefix& prefix : reach.nlri) {
    encodePrefix(prefix, out);
  }
}

Result decodeMpUnreach(ByteReader value, DecodeState& state) {
  const auto afi = readFamily(value, state.context, "mp-unreach-nlri");
  if (!afi) {
    return afi.error();
  }

  MpUnreach unreach{*afi, Safi::Unicast, {}};
  if (auto withdrawn = decodePrefixes(value.rest(), familyOf(*afi), unreach.withdrawn);
      !withdrawn) {
    return Fault{UpdateError::OptionalAttributeError, "mp-unreach-nlri: " + withdrawn.error(),
                 "RFC 7606 5.3"};
  }
  state.out.mp_unreach = std::move(unreach);
  return std::nullopt;
}

void encodeMpUnreach(const PathAttributes& attributes, const CodecContext&, ByteWriter& out) {
  if (!attributes.mp_unreach) {
    return;
  }
  const MpUnreach& unreach = *attributes.mp_unreach;
  writeAttributeHeader(out, kOptionalNonTransitive,
                       std::to_underlying(AttributeType::MpUnreachNlri),
                       3 + prefixesSize(unreach.withdrawn));
  out.u16(std::to_underlying(unreach.afi));
  out.u8(std::to_underlying(unreach.safi));
  for (const Prefix& prefix : unreach.withdrawn) {
    encodePrefix(prefix, out);
  }
}

// --- The table ---------------------------------------------------------------------------------

struct AttributeDescriptor {
  AttributeType type;
  std::string_view name;
  std::uint8_t flags;        // the Optional and Transitive bits it must carry
  ErrorAction on_error;      // RFC 7606's approach when it is malformed (flags included)
  std::string_view section;  // where that approach is written
  Result (*decode)(ByteReader value, DecodeState& state);
  void (*encode)(const PathAttributes& attributes, const CodecContext& context, ByteWriter& out);
};

constexpr ErrorAction kWithdraw = ErrorAction::TreatAsWithdraw;
constexpr ErrorAction kDiscard = ErrorAction::AttributeDiscard;
constexpr ErrorAction kReset = ErrorAction::SessionReset;

// In encoding order: the MP attributes first (RFC 7606 5.1), then by type code.
constexpr std::array kDescriptors = {
    AttributeDescriptor{AttributeType::MpUnreachNlri, "mp-unreach-nlri", kOptionalNonTransitive,
                        kReset, "RFC 4760 7", decodeMpUnreach, encodeMpUnreach},
    AttributeDescriptor{AttributeType::MpReachNlri, "mp-reach-nlri", kOptionalNonTransitive, kReset,
                        "RFC 4760 7", decodeMpReach, encodeMpReach},
    AttributeDescriptor{AttributeType::Origin, "origin", kWellKnown, kWithdraw, "RFC 7606 7.1",
                        decodeOrigin, encodeOrigin},
    AttributeDescriptor{AttributeType::AsPath, "as-path", kWellKnown, kWithdraw, "RFC 7606 7.2",
                        decodeAsPath, encodeAsPath},
    AttributeDescriptor{AttributeType::NextHop, "next-hop", kWellKnown, kWithdraw, "RFC 7606 7.3",
                        decodeNextHop, encodeNextHop},
    AttributeDescriptor{AttributeType::MultiExitDisc, "multi-exit-disc", kOptionalNonTransitive,
                        kWithdraw, "RFC 7606 7.4", decodeMultiExitDisc, encodeMultiExitDisc},
    AttributeDescriptor{AttributeType::LocalPref, "local-pref", kWellKnown, kWithdraw,
                        "RFC 7606 7.5", decodeLocalPref, encodeLocalPref},
    AttributeDescriptor{AttributeType::AtomicAggregate, "atomic-aggregate", kWellKnown, kDiscard,
                        "RFC 7606 7.6", decodeAtomicAggregate, encodeAtomicAggregate},
    AttributeDescriptor{AttributeType::Aggregator, "aggregator", kOptionalTransitive, kDiscard,
                        "RFC 7606 7.7", decodeAggregator, encodeAggregator},
    AttributeDescriptor{AttributeType::Communities, "communities", kOptionalTransitive, kWithdraw,
                        "RFC 7606 7.8", decodeCommunities, encodeCommunities},
    AttributeDescriptor{AttributeType::As4Path, "as4-path", kOptionalTransitive, kDiscard,
                        "RFC 6793 6", decodeAs4Path, encodeAs4Path},
    AttributeDescriptor{AttributeType::As4Aggregator, "as4-aggregator", kOptionalTransitive,
                        kDiscard, "RFC 6793 6", decodeAs4Aggregator, encodeAs4Aggregator},
    AttributeDescriptor{AttributeType::LargeCommunities, "large-communities", kOptionalTransitive,
                        kWithdraw, "RFC 8092 6", decodeLargeCommunities, encodeLargeCommunities},
};

const AttributeDescriptor* descriptorFor(std::uint8_t type) {
  static const auto kByType = [] {
    std::array<const AttributeDescriptor*, 256> by_type{};
    for (const AttributeDescriptor& descriptor : kDescriptors) {
      by_type[std::to_underlying(descriptor.type)] = &descriptor;
    }
    return by_type;
  }();
  return kByType[type];
}

bool isMp(std::uint8_t type) {
  return type == std::to_underlying(AttributeType::MpReachNlri) ||
         type == std::to_underlying(AttributeType::MpUnreachNlri);
}

// The NOTIFICATION data RFC 4271 6.3 asks for: the erroneous attribute for the subcodes
// about one attribute, nothing for the others.
std::vector<std::uint8_t> dataFor(UpdateError subcode, std::span<const std::uint8_t> attribute) {
  switch (subcode) {
    case UpdateError::UnrecognizedWellKnownAttribute:
    case UpdateError::AttributeFlagsError:
    case UpdateError::AttributeLengthError:
    case UpdateError::InvalidOriginAttribute:
    case UpdateError::InvalidNextHopAttribute:
    case UpdateError::OptionalAttributeError:
      return {attribute.begin(), attribute.end()};
    default:
      return {};
  }
}

DecodeError errorOf(ErrorAction action, UpdateError subcode, std::string_view section,
                    std::string reason, std::span<const std::uint8_t> attribute) {
  return DecodeError{action, Notification::of(subcode, dataFor(subcode, attribute)), section,
                     std::move(reason), std::nullopt};
}

// RFC 6793 4.2.3: the true path and aggregator of a route from a 2-octet peer.
void mergeFourOctetAttributes(DecodeState& state) {
  PathAttributes& out = state.out;
  if (out.aggregator && out.aggregator->asn != kAsTrans) {
    return;  // aggregated by a 2-octet speaker: AS4_AGGREGATOR and AS4_PATH are stale
  }
  if (out.aggregator && state.as4_aggregator) {
    out.aggregator = state.as4_aggregator;
  }
  if (out.as_path && state.as4_path) {
    out.as_path = AsPath::merge(*out.as_path, *state.as4_path);
  }
}

struct AttributeHeader {
  std::uint8_t flags;
  std::uint8_t type;
  std::size_t length;
};

// Flags, type and length (one octet, or two with the extended length bit); nullopt when
// the field ends inside them.
std::optional<AttributeHeader> readHeader(ByteReader& in) {
  const auto flags = in.u8();
  const auto type = in.u8();
  if (!type) {
    return std::nullopt;
  }
  if ((*flags & kFlagExtendedLength) != 0) {
    const auto length = in.u16();
    return length ? std::optional(AttributeHeader{*flags, *type, *length}) : std::nullopt;
  }
  const auto length = in.u8();
  return length ? std::optional(AttributeHeader{*flags, *type, *length}) : std::nullopt;
}

// One attribute the table does not know (RFC 4271 5, 6.3, 9).
std::optional<DecodeError> keepUnknown(std::uint8_t flags, std::uint8_t type,
                                       std::span<const std::uint8_t> value,
                                       std::span<const std::uint8_t> attribute,
                                       PathAttributes& out) {
  if ((flags & kFlagOptional) == 0) {
    return errorOf(kReset, UpdateError::UnrecognizedWellKnownAttribute, "RFC 4271 6.3",
                   "unrecognized well-known attribute " + std::to_string(type), attribute);
  }
  if ((flags & kFlagTransitive) != 0) {
    const auto kept = static_cast<std::uint8_t>(flags & (kCategoryBits | kFlagPartial));
    out.unknown.push_back(RawAttribute{kept, type, {value.begin(), value.end()}});
  }
  return std::nullopt;  // optional non-transitive: quietly ignored
}

}  // namespace

void writeAttributeHeader(ByteWriter& out, std::uint8_t flags, std::uint8_t type,
                          std::size_t length) {
  if (length > 255) {
    out.u8(flags | kFlagExtendedLength);
    out.u8(type);
    out.u16(static_cast<std::uint16_t>(length));
    return;
  }
  out.u8(static_cast<std::uint8_t>(flags & ~kFlagExtendedLength));
  out.u8(type);
  out.u8(static_cast<std::uint8_t>(length));
}

std::string attributeName(std::uint8_t type) {
  if (const AttributeDescriptor* descriptor = descriptorFor(type)) {
    return std::string(descriptor->name);
  }
  return "attribute-" + std::to_string(type);
}

std::optional<DecodeError> decodeAttributes(std::span<const std::uint8_t> field,
                                            const CodecContext& context, PathAttributes& out) {
  DecodeState state{context, out, std::nullopt, std::nullopt};
  std::optional<DecodeError> worst;
  std::bitset<256> seen;
  ByteReader in(field);

  while (!in.empty()) {
    // RFC 7606 4: a header or value overrunning the field ends the attributes, and the total
    // attribute length still locates the NLRI; but MP attributes cannot be withdrawn unread.
    const std::size_t start = in.offset();
    const auto header = readHeader(in);
    const auto value = header ? in.sub(header->length) : std::nullopt;
    if (!value) {
      const bool mp = header && isMp(header->type);
      const std::string what = header ? attributeName(header->type) : "attribute header";
      keepStrongest(worst, errorOf(mp ? kReset : kWithdraw, UpdateError::MalformedAttributeList,
                                   "RFC 7606 4", what + " overruns the path attributes", {}));
      break;
    }
    const std::uint8_t flags = header->flags;
    const std::uint8_t type = header->type;
    const auto attribute = field.subspan(start, in.offset() - start);

    // RFC 7606 3(g): a repeated MP attribute is fatal; any other repeat is dropped.
    if (seen.test(type)) {
      if (isMp(type)) {
        return errorOf(kReset, UpdateError::MalformedAttributeList, "RFC 7606 3(g)",
                       "duplicate " + attributeName(type), attribute);
      }
      keepStrongest(worst, errorOf(kDiscard, UpdateError::MalformedAttributeList, "RFC 7606 3(g)",
                                   "duplicate " + attributeName(type) + " discarded", attribute));
      continue;
    }
    seen.set(type);

    const AttributeDescriptor* descriptor = descriptorFor(type);
    if (descriptor == nullptr) {
      if (auto error = keepUnknown(flags, type, value->peekRest(), attribute, out)) {
        return error;
      }
      continue;
    }

    // RFC 7606 3(c): Optional and Transitive bits that contradict the type are malformed.
    Result fault;
    if ((flags & kCategoryBits) != descriptor->flags) {
      fault = Fault{UpdateError::AttributeFlagsError,
                    std::string(descriptor->name) + " with flags " + std::to_string(flags),
                    "RFC 7606 3(c)"};
    } else {
      fault = descriptor->decode(*value, state);
    }
    if (fault) {
      const ErrorAction action = fault->action.value_or(descriptor->on_error);
      const std::string_view section =
          fault->section.empty() ? descriptor->section : fault->section;
      DecodeError error =
          errorOf(action, fault->subcode, section, std::move(fault->reason), attribute);
      if (error.fatal()) {
        return error;
      }
      keepStrongest(worst, std::move(error));
    }
  }

  if (!context.four_octet_as) {
    mergeFourOctetAttributes(state);
  }
  // The order encoding writes them in (RFC 4271 5), so that they round-trip.
  std::ranges::stable_sort(out.unknown, {}, &RawAttribute::type);
  return worst;
}

void encodeAttributes(const PathAttributes& attributes, const CodecContext& context,
                      ByteWriter& out, MpAttributes mp) {
  // Unknown attributes go in among the known ones by type code (RFC 4271 5).
  std::vector<const RawAttribute*> unknown;
  unknown.reserve(attributes.unknown.size());
  for (const RawAttribute& raw : attributes.unknown) {
    unknown.push_back(&raw);
  }
  std::ranges::stable_sort(unknown, {}, &RawAttribute::type);
  auto next_unknown = unknown.begin();
  const auto write_unknown_below = [&](unsigned type) {
    for (; next_unknown != unknown.end() && (*next_unknown)->type < type; ++next_unknown) {
      const RawAttribute& raw = **next_unknown;
      writeAttributeHeader(out,
                           static_cast<std::uint8_t>(raw.flags & (kCategoryBits | kFlagPartial)),
                           raw.type, raw.value.size());
      out.bytes(raw.value);
    }
  };

  for (const AttributeDescriptor& descriptor : kDescriptors) {
    const auto type = std::to_underlying(descriptor.type);
    if (isMp(type)) {
      if (mp == MpAttributes::Include) {
        descriptor.encode(attributes, context, out);
      }
      continue;
    }
    write_unknown_below(type);
    descriptor.encode(attributes, context, out);
  }
  write_unknown_below(256);
}

}  // namespace vipd::bgp
