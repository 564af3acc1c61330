#include "bgp/capabilities.h"

#include <array>
#include <utility>

#include "bgp/byte_reader.h"

namespace vipd::bgp {
namespace {

using Decoded = std::expected<Capability, std::string>;

std::unexpected<std::string> badLength(std::string_view name, std::size_t length) {
  return std::unexpected(std::string(name) + " capability of length " + std::to_string(length));
}

// --- Each capability: decoder, then encoder ------------------------------------------------

Decoded decodeMultiprotocol(ByteReader value) {
  // RFC 4760 8: AFI (2), reserved (1), SAFI (1).
  if (value.remaining() != 4) {
    return badLength("multiprotocol", value.remaining());
  }
  const std::uint16_t afi = *value.u16();
  value.u8();
  return MultiprotocolCapability{AfiSafi{afi, *value.u8()}};
}

void encodeValue(const MultiprotocolCapability& capability, ByteWriter& out) {
  out.u16(capability.family.afi);
  out.u8(0);
  out.u8(capability.family.safi);
}

template <typename Empty>
Decoded decodeEmpty(ByteReader value, std::string_view name) {
  if (!value.empty()) {
    return badLength(name, value.remaining());
  }
  return Empty{};
}

Decoded decodeRouteRefresh(ByteReader value) {
  return decodeEmpty<RouteRefreshCapability>(value, "route-refresh");
}

Decoded decodeExtendedMessage(ByteReader value) {
  return decodeEmpty<ExtendedMessageCapability>(value, "extended-message");
}

Decoded decodeEnhancedRouteRefresh(ByteReader value) {
  return decodeEmpty<EnhancedRouteRefreshCapability>(value, "enhanced-route-refresh");
}

void encodeValue(const RouteRefreshCapability&, ByteWriter&) {}
void encodeValue(const ExtendedMessageCapability&, ByteWriter&) {}
void encodeValue(const EnhancedRouteRefreshCapability&, ByteWriter&) {}

constexpr std::uint16_t kRestartedBit = 0x8000;
constexpr std::uint16_t kNotificationBit = 0x4000;
constexpr std::uint8_t kForwardingBit = 0x80;

Decoded decodeGracefulRestart(ByteReader value) {
  // RFC 4724 3: flags (4 bits) and restart time (12 bits), then AFI, SAFI, flags per family.
  if (value.remaining() < 2 || (value.remaining() - 2) % 4 != 0) {
    return badLength("graceful-restart", value.remaining());
  }
  const std::uint16_t flags_and_time = *value.u16();
  GracefulRestartCapability capability;
  capability.restarted = (flags_and_time & kRestartedBit) != 0;
  capability.notification = (flags_and_time & kNotificationBit) != 0;
  capability.restart_time = flags_and_time & GracefulRestartCapability::kMaxRestartTime;
  while (!value.empty()) {
    const std::uint16_t afi = *value.u16();
    const std::uint8_t safi = *value.u8();
    const std::uint8_t flags = *value.u8();
    capability.families.push_back({AfiSafi{afi, safi}, (flags & kForwardingBit) != 0});
  }
  return capability;
}

void encodeValue(const GracefulRestartCapability& capability, ByteWriter& out) {
  std::uint16_t flags_and_time =
      capability.restart_time & GracefulRestartCapability::kMaxRestartTime;
  flags_and_time |= capability.restarted ? kRestartedBit : 0;
  flags_and_time |= capability.notification ? kNotificationBit : 0;
  out.u16(flags_and_time);
  for (const auto& family : capability.families) {
    out.u16(family.family.afi);
    out.u8(family.family.safi);
    out.u8(family.forwarding_preserved ? kForwardingBit : 0);
  }
}

Decoded decodeFourOctetAs(ByteReader value) {
  // RFC 6793 3: the AS, 4 octets.
  if (value.remaining() != 4) {
    return badLength("four-octet-as", value.remaining());
  }
  return FourOctetAsCapability{*value.u32()};
}

void encodeValue(const FourOctetAsCapability& capability, ByteWriter& out) {
  out.u32(capability.asn);
}

void encodeValue(const UnknownCapability& capability, ByteWriter& out) {
  out.bytes(capability.value);
}

// --- The table -----------------------------------------------------------------------------

struct CapabilityDescriptor {
  std::uint8_t code;
  std::string_view name;
  Decoded (*decode)(ByteReader value);
};

constexpr std::array kDescriptors = {
    CapabilityDescriptor{MultiprotocolCapability::kCode, "multiprotocol", decodeMultiprotocol},
    CapabilityDescriptor{RouteRefreshCapability::kCode, "route-refresh", decodeRouteRefresh},
    CapabilityDescriptor{ExtendedMessageCapability::kCode, "extended-message",
                         decodeExtendedMessage},
    CapabilityDescriptor{GracefulRestartCapability::kCode, "graceful-restart",
                         decodeGracefulRestart},
    CapabilityDescriptor{FourOctetAsCapability::kCode, "four-octet-as", decodeFourOctetAs},
    CapabilityDescriptor{EnhancedRouteRefreshCapability::kCode, "enhanced-route-refresh",
                         decodeEnhancedRouteRefresh},
};

const CapabilityDescriptor* descriptorFor(std::uint8_t code) {
  for (const CapabilityDescriptor& descriptor : kDescriptors) {
    if (descriptor.code == code) {
      return &descriptor;
    }
  }
  return nullptr;
}

}  // namespace

std::uint8_t capabilityCode(const Capability& capability) {
  return std::visit(
      [](const auto& value) -> std::uint8_t {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, UnknownCapability>) {
          return value.code;
        } else {
          return T::kCode;
        }
      },
      capability);
}

std::string capabilityName(std::uint8_t code) {
  if (const CapabilityDescriptor* descriptor = descriptorFor(code)) {
    return std::string(descriptor->name);
  }
  return "capability-" + std::to_string(code);
}

std::expected<void, std::string> decodeCapabilities(std::span<const std::uint8_t> value,
                                                    std::vector<Capability>& out) {
  ByteReader in(value);
  while (!in.empty()) {
    const auto code = in.u8();
    const auto length = in.u8();
    if (!length) {
      return std::unexpected("capability " + std::to_string(*code) + " truncated");
    }
    const auto field = in.sub(*length);
    if (!field) {
      return std::unexpected(capabilityName(*code) + " capability of length " +
                             std::to_string(*length) + " overruns its parameter");
    }

    const CapabilityDescriptor* descriptor = descriptorFor(*code);
    if (descriptor == nullptr) {
      const auto bytes = field->peekRest();
      out.push_back(UnknownCapability{*code, {bytes.begin(), bytes.end()}});
      continue;
    }
    auto decoded = descriptor->decode(*field);
    if (!decoded) {
      return std::unexpected(std::move(decoded.error()));
    }
    out.push_back(std::move(*decoded));
  }
  return {};
}

void encodeCapability(const Capability& capability, ByteWriter& out) {
  out.u8(capabilityCode(capability));
  const std::size_t length_at = out.placeholderU8();
  std::visit([&out](const auto& value) { encodeValue(value, out); }, capability);
  out.patchU8(length_at, static_cast<std::uint8_t>(out.size() - length_at - 1));
}

std::size_t encodedCapabilitySize(const Capability& capability) {
  std::vector<std::uint8_t> scratch;
  ByteWriter out(scratch);
  encodeCapability(capability, out);
  return scratch.size();
}

}  // namespace vipd::bgp
