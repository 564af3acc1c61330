// The checks of a peer's OPEN that need the session's configuration, which decode() does
// not have: the peer AS it should have (RFC 4271 6.2), an identifier unlike ours from an
// internal peer (RFC 6286 2.2), and a local floor for the hold time (RFC 4271 6.2 lets a
// speaker refuse hold times by local policy).
#pragma once

#include <cstdint>
#include <optional>

#include "bgp/decode_error.h"
#include "bgp/message.h"

namespace vipd::bgp {

struct OpenExpectations {
  std::uint32_t local_as = 0;
  std::uint32_t local_identifier = 0;
  std::optional<std::uint32_t> peer_as;  // nullopt: any AS
  std::uint16_t min_hold_time = 3;       // a non-zero hold time below this is refused
};

// The error to reset the session with, or nullopt when the OPEN is acceptable.
std::optional<DecodeError> checkPeerOpen(const Open& received,
                                         const OpenExpectations& expectations);

}  // namespace vipd::bgp
