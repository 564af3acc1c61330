#include "bgp/open_checks.h"

#include <string>

namespace vipd::bgp {

std::optional<DecodeError> checkPeerOpen(const Open& received,
                                         const OpenExpectations& expectations) {
  const std::uint32_t peer_as = received.asNumber();
  if (expectations.peer_as && peer_as != *expectations.peer_as) {
    return DecodeError::reset(Notification::of(OpenError::BadPeerAs), "RFC 4271 6.2",
                              "open: peer AS " + std::to_string(peer_as) + ", expected " +
                                  std::to_string(*expectations.peer_as));
  }

  const bool internal = peer_as == expectations.local_as;
  if (internal && received.bgp_identifier == expectations.local_identifier) {
    return DecodeError::reset(Notification::of(OpenError::BadBgpIdentifier), "RFC 6286 2.2",
                              "open: internal peer with our own bgp identifier");
  }

  if (received.hold_time != 0 && received.hold_time < expectations.min_hold_time) {
    return DecodeError::reset(Notification::of(OpenError::UnacceptableHoldTime), "RFC 4271 6.2",
                              "open: hold time " + std::to_string(received.hold_time) +
                                  " below the local minimum " +
                                  std::to_string(expectations.min_hold_time));
  }
  return std::nullopt;
}

}  // namespace vipd::bgp
