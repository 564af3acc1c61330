// Communities (RFC 1997) and large communities (RFC 8092) as plain values, with the
// well-known communities of IANA's registry named: NO_EXPORT, NO_ADVERTISE,
// NO_EXPORT_SUBCONFED (RFC 1997), NOPEER (RFC 3765), GRACEFUL_SHUTDOWN (RFC 8326),
// ACCEPT_OWN (RFC 7611), LLGR_STALE and NO_LLGR (RFC 9494), BLACKHOLE (RFC 7999).
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace vipd::bgp {

struct Community {
  std::uint32_t value = 0;

  static constexpr Community of(std::uint16_t asn, std::uint16_t local) {
    return Community{(std::uint32_t{asn} << 16) | local};
  }
  constexpr std::uint16_t asn() const { return static_cast<std::uint16_t>(value >> 16); }
  constexpr std::uint16_t local() const { return static_cast<std::uint16_t>(value); }

  // "64512:100"
  std::string toString() const;
  // "graceful-shutdown", "no-export", ...; empty when the value is not a well-known one.
  std::string_view wellKnownName() const;

  auto operator<=>(const Community&) const = default;
};

inline constexpr Community kGracefulShutdown{0xFFFF0000};   // 65535:0, RFC 8326
inline constexpr Community kAcceptOwn{0xFFFF0001};          // RFC 7611
inline constexpr Community kLlgrStale{0xFFFF0006};          // RFC 9494
inline constexpr Community kNoLlgr{0xFFFF0007};             // RFC 9494
inline constexpr Community kBlackhole{0xFFFF029A};          // 65535:666, RFC 7999
inline constexpr Community kNoExport{0xFFFFFF01};           // RFC 1997
inline constexpr Community kNoAdvertise{0xFFFFFF02};        // RFC 1997
inline constexpr Community kNoExportSubconfed{0xFFFFFF03};  // RFC 1997
inline constexpr Community kNoPeer{0xFFFFFF04};             // RFC 3765

struct LargeCommunity {
  std::uint32_t global_administrator = 0;
  std::uint32_t local_data_1 = 0;
  std::uint32_t local_data_2 = 0;

  // "4200000001:1:1"
  std::string toString() const;

  auto operator<=>(const LargeCommunity&) const = default;
};

}  // namespace vipd::bgp
