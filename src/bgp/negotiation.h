// What two OPENs agree on, for the session to hand to the codec: a capability counts when
// both sides sent it (RFC 5492 3), a family when both announced it (RFC 4760 8), and a side
// that sent no multiprotocol capability at all speaks IPv4 unicast alone.
#pragma once

#include <cstdint>

#include "bgp/codec_context.h"
#include "bgp/message.h"

namespace vipd::bgp {

CodecContext negotiate(const Open& sent, const Open& received);

// The hold time of the session: the smaller of the two (RFC 4271 4.2); 0 means no
// keepalives and no hold timer.
std::uint16_t negotiateHoldTime(const Open& sent, const Open& received);

// Whether both sides sent a capability of type T.
template <typename T>
bool bothSent(const Open& sent, const Open& received) {
  return findCapability<T>(sent.capabilities) != nullptr &&
         findCapability<T>(received.capabilities) != nullptr;
}

}  // namespace vipd::bgp
