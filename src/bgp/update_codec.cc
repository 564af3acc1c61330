#include "bgp/update_codec.h"

#include <algorithm>
#include <utility>

#include "bgp/attributes.h"
#include "bgp/byte_reader.h"
#include "bgp/framing.h"
#include "bgp/nlri.h"

namespace vipd::bgp {
namespace {

std::unexpected<DecodeError> updateError(UpdateError subcode, std::string_view section,
                                         std::string reason) {
  return std::unexpected(
      DecodeError::reset(Notification::of(subcode), section, "update: " + std::move(reason)));
}

// The withdrawn routes or NLRI field: IPv4 unicast prefixes.
std::expected<void, DecodeError> decodeIpv4Field(std::span<const std::uint8_t> field,
                                                 const CodecContext& context, std::string_view name,
                                                 std::vector<Prefix>& out) {
  if (field.empty()) {
    return {};
  }
  if (!context.ipv4_unicast) {
    return updateError(UpdateError::InvalidNetworkField, "RFC 4760 8",
                       std::string(name) + " field but ipv4-unicast not negotiated");
  }
  if (auto decoded = decodePrefixes(field, IpAddress::Family::V4, out); !decoded) {
    return updateError(UpdateError::InvalidNetworkField, "RFC 7606 5.3",
                       std::string(name) + ": " + decoded.error());
  }
  return {};
}

// RFC 7606 3(d), RFC 4760 3: ORIGIN and AS_PATH with any NLRI, NEXT_HOP with IPv4 NLRI.
std::optional<DecodeError> checkMandatory(const Update& update) {
  const PathAttributes& attributes = update.attributes;
  if (update.nlri.empty() && !attributes.mp_reach) {
    return std::nullopt;
  }

  struct Required {
    bool present;
    AttributeType type;
  };
  const Required required[] = {
      {attributes.origin.has_value(), AttributeType::Origin},
      {attributes.as_path.has_value(), AttributeType::AsPath},
      {attributes.next_hop.has_value() || update.nlri.empty(), AttributeType::NextHop},
  };
  for (const Required& attribute : required) {
    if (!attribute.present) {
      const auto type = std::to_underlying(attribute.type);
      return DecodeError{ErrorAction::TreatAsWithdraw,
                         Notification::of(UpdateError::MissingWellKnownAttribute, {type}),
                         "RFC 7606 3(d)", "update: missing " + attributeName(type), std::nullopt};
    }
  }
  return std::nullopt;
}

bool allOf(const std::vector<Prefix>& prefixes, Afi afi) {
  return std::ranges::all_of(prefixes,
                             [afi](const Prefix& prefix) { return afiOf(prefix.family()) == afi; });
}

std::optional<EncodeError> checkFamilies(const Update& update) {
  if (!allOf(update.withdrawn, Afi::Ipv4) || !allOf(update.nlri, Afi::Ipv4)) {
    return EncodeError{"update: IPv6 prefix in the withdrawn routes or NLRI field"};
  }
  if (const auto& reach = update.attributes.mp_reach) {
    const bool next_hop_ok = afiOf(reach->next_hop.family()) == reach->afi &&
                             (!reach->link_local || reach->afi == Afi::Ipv6);
    if (!allOf(reach->nlri, reach->afi) || !next_hop_ok) {
      return EncodeError{"update: mp-reach-nlri prefix or next hop of another family"};
    }
  }
  if (const auto& unreach = update.attributes.mp_unreach) {
    if (!allOf(unreach->withdrawn, unreach->afi)) {
      return EncodeError{"update: mp-unreach-nlri prefix of another family"};
    }
  }
  return std::nullopt;
}

}  // namespace

std::expected<Update, DecodeError> decodeUpdate(std::span<const std::uint8_t> body,
                                                const CodecContext& context) {
  // RFC 4271 6.3: both lengths must fit in the message.
  ByteReader in(body);
  const std::uint16_t withdrawn_length = *in.u16();
  const auto withdrawn = in.bytes(withdrawn_length);
  const auto attributes_length = withdrawn ? in.u16() : std::nullopt;
  const auto attributes = attributes_length ? in.bytes(*attributes_length) : std::nullopt;
  if (!attributes) {
    return updateError(UpdateError::MalformedAttributeList, "RFC 4271 6.3",
                       "withdrawn routes length " + std::to_string(withdrawn_length) +
                           " and total path attribute length " +
                           (attributes_length ? std::to_string(*attributes_length) : "?") +
                           " overrun the message");
  }

  Update update;
  if (auto decoded = decodeIpv4Field(*withdrawn, context, "withdrawn routes", update.withdrawn);
      !decoded) {
    return std::unexpected(decoded.error());
  }
  std::optional<DecodeError> worst = decodeAttributes(*attributes, context, update.attributes);
  if (worst && worst->fatal()) {
    return std::unexpected(std::move(*worst));
  }
  if (auto decoded = decodeIpv4Field(in.rest(), context, "nlri", update.nlri); !decoded) {
    return std::unexpected(decoded.error());
  }

  if (auto missing = checkMandatory(update)) {
    keepStrongest(worst, std::move(*missing));
  }
  if (worst) {
    worst->update = std::move(update);
    return std::unexpected(std::move(*worst));
  }
  return update;
}

std::expected<void, EncodeError> encodeUpdate(const Update& update, const CodecContext& context,
                                              ByteWriter& out) {
  if (auto error = checkFamilies(update)) {
    return std::unexpected(std::move(*error));
  }

  const std::size_t start = beginMessage(out, MessageType::Update);
  const std::size_t withdrawn_at = out.placeholderU16();
  for (const Prefix& prefix : update.withdrawn) {
    encodePrefix(prefix, out);
  }
  const std::size_t withdrawn_length = out.size() - withdrawn_at - 2;

  const std::size_t attributes_at = out.placeholderU16();
  encodeAttributes(update.attributes, context, out);
  const std::size_t attributes_length = out.size() - attributes_at - 2;

  for (const Prefix& prefix : update.nlri) {
    encodePrefix(prefix, out);
  }

  const std::size_t size = out.size() - start;
  if (size > context.maxMessageSize()) {
    out.buffer().resize(start);
    return std::unexpected(EncodeError{"update of " + std::to_string(size) + " octets over " +
                                       std::to_string(context.maxMessageSize())});
  }
  out.patchU16(withdrawn_at, static_cast<std::uint16_t>(withdrawn_length));
  out.patchU16(attributes_at, static_cast<std::uint16_t>(attributes_length));
  finishMessage(out, start);
  return {};
}

}  // namespace vipd::bgp
