#include "bgp/negotiation.h"

#include <algorithm>

namespace vipd::bgp {
namespace {

bool announces(const Open& open, AfiSafi family) {
  bool any = false;
  for (const Capability& capability : open.capabilities) {
    if (const auto* multiprotocol = std::get_if<MultiprotocolCapability>(&capability)) {
      any = true;
      if (multiprotocol->family == family) {
        return true;
      }
    }
  }
  return !any && family == kIpv4Unicast;
}

}  // namespace

CodecContext negotiate(const Open& sent, const Open& received) {
  CodecContext context;
  context.four_octet_as = bothSent<FourOctetAsCapability>(sent, received);
  context.extended_messages = bothSent<ExtendedMessageCapability>(sent, received);
  context.ipv4_unicast = announces(sent, kIpv4Unicast) && announces(received, kIpv4Unicast);
  context.ipv6_unicast = announces(sent, kIpv6Unicast) && announces(received, kIpv6Unicast);
  return context;
}

std::uint16_t negotiateHoldTime(const Open& sent, const Open& received) {
  return std::min(sent.hold_time, received.hold_time);
}

}  // namespace vipd::bgp
