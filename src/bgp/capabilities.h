// Capabilities (RFC 5492) carried in OPEN: one type per capability the codec knows, in a
// descriptor table (capabilities.cc) that pairs each one's decoder with its encoder.
//
//   1  Multiprotocol Extensions   RFC 4760 8
//   2  Route Refresh              RFC 2918 2
//   6  Extended Message           RFC 8654 3
//   64 Graceful Restart           RFC 4724 3 (N bit: RFC 8538 3)
//   65 Support for 4-octet AS     RFC 6793 3
//   70 Enhanced Route Refresh     RFC 7313 3
//
// Any other capability is kept as raw bytes, so that a session can log it and ignore it
// (RFC 5492 3: an unknown capability is not an error).
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "bgp/byte_writer.h"
#include "bgp/family.h"

namespace vipd::bgp {

struct MultiprotocolCapability {
  static constexpr std::uint8_t kCode = 1;
  AfiSafi family;

  bool operator==(const MultiprotocolCapability&) const = default;
};

struct RouteRefreshCapability {
  static constexpr std::uint8_t kCode = 2;

  bool operator==(const RouteRefreshCapability&) const = default;
};

struct ExtendedMessageCapability {
  static constexpr std::uint8_t kCode = 6;

  bool operator==(const ExtendedMessageCapability&) const = default;
};

struct GracefulRestartCapability {
  static constexpr std::uint8_t kCode = 64;
  static constexpr std::uint16_t kMaxRestartTime = 4095;  // 12 bits

  struct Family {
    AfiSafi family;
    bool forwarding_preserved = false;  // F bit

    bool operator==(const Family&) const = default;
  };

  bool restarted = false;          // R bit: the sender has just restarted
  bool notification = false;       // N bit (RFC 8538): NOTIFICATIONs too restart gracefully
  std::uint16_t restart_time = 0;  // seconds; only the low 12 bits are sent
  std::vector<Family> families;

  bool operator==(const GracefulRestartCapability&) const = default;
};

struct FourOctetAsCapability {
  static constexpr std::uint8_t kCode = 65;
  std::uint32_t asn = 0;

  bool operator==(const FourOctetAsCapability&) const = default;
};

struct EnhancedRouteRefreshCapability {
  static constexpr std::uint8_t kCode = 70;

  bool operator==(const EnhancedRouteRefreshCapability&) const = default;
};

struct UnknownCapability {
  std::uint8_t code = 0;
  std::vector<std::uint8_t> value;

  bool operator==(const UnknownCapability&) const = default;
};

using Capability =
    std::variant<MultiprotocolCapability, RouteRefreshCapability, ExtendedMessageCapability,
                 GracefulRestartCapability, FourOctetAsCapability, EnhancedRouteRefreshCapability,
                 UnknownCapability>;

std::uint8_t capabilityCode(const Capability& capability);
// "multiprotocol", "route-refresh", "graceful-restart", ...; "capability-N" when unknown.
std::string capabilityName(std::uint8_t code);

// Decodes the value of one Capabilities optional parameter (RFC 5492 4): a sequence of
// code, length, value. Appends what it finds to out; the error names what is malformed.
std::expected<void, std::string> decodeCapabilities(std::span<const std::uint8_t> value,
                                                    std::vector<Capability>& out);
// Appends one capability as code, length, value.
void encodeCapability(const Capability& capability, ByteWriter& out);
std::size_t encodedCapabilitySize(const Capability& capability);

// The first capability of type T in the list, or nullptr.
template <typename T>
const T* findCapability(const std::vector<Capability>& capabilities) {
  for (const Capability& capability : capabilities) {
    if (const T* found = std::get_if<T>(&capability)) {
      return found;
    }
  }
  return nullptr;
}

}  // namespace vipd::bgp
