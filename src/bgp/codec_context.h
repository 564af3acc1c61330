// CodecContext: what the session negotiated that changes how messages are read and
// written. Pass it to every decode and encode; build it with negotiate() (negotiation.h)
// once both OPENs are known. The default is a plain RFC 4271 peer, which is also what
// holds before the OPENs are exchanged.
#pragma once

#include <cstddef>

#include "bgp/family.h"
#include "bgp/message.h"

namespace vipd::bgp {

struct CodecContext {
  // Both sides sent the 4-octet AS capability (RFC 6793 4.1): AS_PATH and AGGREGATOR
  // carry 4-octet ASes, and AS4_PATH and AS4_AGGREGATOR are not used.
  bool four_octet_as = false;
  // Both sides sent the extended message capability (RFC 8654 3): messages other than
  // OPEN and KEEPALIVE may be up to 65535 octets.
  bool extended_messages = false;
  // The families both sides announced (RFC 4760 8); without multiprotocol capabilities,
  // IPv4 unicast alone.
  bool ipv4_unicast = true;
  bool ipv6_unicast = false;

  std::size_t maxMessageSize() const {
    return extended_messages ? kMaxExtendedMessageSize : kMaxMessageSize;
  }
  bool carries(Afi afi) const { return afi == Afi::Ipv4 ? ipv4_unicast : ipv6_unicast; }
  bool carries(AfiSafi family) const {
    return (family == kIpv4Unicast && ipv4_unicast) || (family == kIpv6Unicast && ipv6_unicast);
  }
  AsWidth asWidth() const { return four_octet_as ? AsWidth::Four : AsWidth::Two; }
};

}  // namespace vipd::bgp
