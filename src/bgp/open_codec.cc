#include "bgp/open_codec.h"

#include <utility>

#include "bgp/byte_reader.h"
#include "bgp/framing.h"

namespace vipd::bgp {
namespace {

constexpr std::uint8_t kCapabilitiesParameter = 2;     // RFC 5492 4
constexpr std::uint8_t kExtendedParametersType = 255;  // RFC 9072 2
constexpr std::size_t kMaxParameterLength = 255;

std::unexpected<DecodeError> openError(OpenError subcode, std::string_view section,
                                       std::string reason, std::vector<std::uint8_t> data = {}) {
  return std::unexpected(
      DecodeError::reset(Notification::of(subcode, std::move(data)), section, "open: " + reason));
}

std::unexpected<DecodeError> malformed(std::string reason) {
  return openError(OpenError::Unspecific, "RFC 4271 6.2", std::move(reason));
}

// The fixed fields (RFC 4271 6.2), in the order the RFC checks them.
std::expected<void, DecodeError> checkFixedFields(const Open& open) {
  if (open.version != kBgpVersion) {
    // The data is the version vipd speaks: the only one, so both the largest below a newer
    // bid and the smallest above an older one.
    return openError(OpenError::UnsupportedVersionNumber, "RFC 4271 6.2",
                     "version " + std::to_string(open.version), {0, kBgpVersion});
  }
  if (open.my_as == 0) {
    return openError(OpenError::BadPeerAs, "RFC 7607 2", "my autonomous system 0");
  }
  if (open.hold_time == 1 || open.hold_time == 2) {
    return openError(OpenError::UnacceptableHoldTime, "RFC 4271 6.2",
                     "hold time " + std::to_string(open.hold_time));
  }
  if (open.bgp_identifier == 0) {
    return openError(OpenError::BadBgpIdentifier, "RFC 6286 2.2", "bgp identifier 0");
  }
  return {};
}

// One optional parameter (RFC 4271 4.2, RFC 5492 4): only capabilities are supported.
std::expected<void, DecodeError> decodeParameter(std::uint8_t type,
                                                 std::span<const std::uint8_t> value, Open& open) {
  if (type != kCapabilitiesParameter) {
    return openError(OpenError::UnsupportedOptionalParameter, "RFC 4271 6.2",
                     "optional parameter type " + std::to_string(type));
  }
  if (auto decoded = decodeCapabilities(value, open.capabilities); !decoded) {
    return malformed(decoded.error());
  }
  return {};
}

// The optional parameters (RFC 4271 4.2), or their extended form (RFC 9072 2): a length of
// 255 and a first type of 255 announce 2-octet lengths throughout.
std::expected<void, DecodeError> decodeParameters(ByteReader& in, Open& open) {
  const std::size_t short_length = *in.u8();
  const bool extended = short_length != 0 && in.peekU8() == kExtendedParametersType;
  std::size_t length = short_length;
  if (extended) {
    in.u8();
    const auto long_length = in.u16();
    if (!long_length) {
      return malformed("extended optional parameters length truncated");
    }
    length = *long_length;
  }
  if (in.remaining() != length) {
    return malformed("optional parameters length " + std::to_string(length) + " but " +
                     std::to_string(in.remaining()) + " octets follow");
  }

  while (!in.empty()) {
    const auto type = in.u8();
    const auto value_length =
        extended ? in.u16()
                 : in.u8().transform([](std::uint8_t octet) { return std::uint16_t{octet}; });
    const auto value = value_length ? in.bytes(*value_length) : std::nullopt;
    if (!value) {
      return malformed("optional parameter " + std::to_string(*type) + " truncated");
    }
    if (auto decoded = decodeParameter(*type, *value, open); !decoded) {
      return decoded;
    }
  }
  return {};
}

}  // namespace

std::expected<Open, DecodeError> decodeOpen(std::span<const std::uint8_t> body) {
  // The header check guaranteed the 10 octets of fixed fields.
  ByteReader in(body);
  Open open;
  open.version = *in.u8();
  open.my_as = *in.u16();
  open.hold_time = *in.u16();
  open.bgp_identifier = *in.u32();
  if (auto checked = checkFixedFields(open); !checked) {
    return std::unexpected(checked.error());
  }

  if (auto parameters = decodeParameters(in, open); !parameters) {
    return std::unexpected(parameters.error());
  }

  const auto* four_octet = findCapability<FourOctetAsCapability>(open.capabilities);
  if (four_octet != nullptr && four_octet->asn == 0) {
    return openError(OpenError::BadPeerAs, "RFC 7607 2", "four-octet-as capability with AS 0");
  }
  return open;
}

std::expected<void, EncodeError> encodeOpen(const Open& open, ByteWriter& out) {
  // Capabilities first into a scratch buffer, to know how to group them.
  std::vector<std::uint8_t> capabilities;
  ByteWriter caps(capabilities);
  std::vector<std::size_t> ends;
  for (const Capability& capability : open.capabilities) {
    encodeCapability(capability, caps);
    const std::size_t size = capabilities.size() - (ends.empty() ? 0 : ends.back());
    if (size > kMaxParameterLength + 2) {
      return std::unexpected(EncodeError{capabilityName(capabilityCode(capability)) +
                                         " capability longer than 255 octets"});
    }
    ends.push_back(capabilities.size());
  }

  // Capabilities in parameters of at most 255 octets; the RFC 9072 form when they take more
  // than the 255 octets of the optional parameters field.
  std::vector<std::size_t> splits;  // where each parameter ends in capabilities
  bool one_too_long = false;
  std::size_t begin = 0;
  std::size_t previous = 0;
  for (const std::size_t end : ends) {
    one_too_long = one_too_long || end - previous > kMaxParameterLength;
    if (end - begin > kMaxParameterLength && previous > begin) {
      splits.push_back(previous);
      begin = previous;
    }
    previous = end;
  }
  if (!capabilities.empty()) {
    splits.push_back(capabilities.size());
  }
  const std::size_t short_total = capabilities.size() + 2 * splits.size();
  const bool extended = one_too_long || short_total > kMaxParameterLength;

  const std::size_t start = beginMessage(out, MessageType::Open);
  out.u8(open.version);
  out.u16(open.my_as);
  out.u16(open.hold_time);
  out.u32(open.bgp_identifier);
  if (extended) {
    out.u8(kExtendedParametersType);
    out.u8(kExtendedParametersType);
    out.u16(static_cast<std::uint16_t>(capabilities.size() + 3));
    out.u8(kCapabilitiesParameter);
    out.u16(static_cast<std::uint16_t>(capabilities.size()));
    out.bytes(capabilities);
  } else {
    out.u8(static_cast<std::uint8_t>(short_total));
    std::size_t from = 0;
    for (const std::size_t to : splits) {
      out.u8(kCapabilitiesParameter);
      out.u8(static_cast<std::uint8_t>(to - from));
      out.bytes(std::span(capabilities).subspan(from, to - from));
      from = to;
    }
  }

  if (out.size() - start > kMaxMessageSize) {
    out.buffer().resize(start);
    return std::unexpected(EncodeError{"open longer than 4096 octets"});
  }
  finishMessage(out, start);
  return {};
}

}  // namespace vipd::bgp
