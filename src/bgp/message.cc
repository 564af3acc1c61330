#include "bgp/message.h"

namespace vipd::bgp {

std::uint32_t Open::asNumber() const {
  if (const auto* four_octet = findCapability<FourOctetAsCapability>(capabilities)) {
    return four_octet->asn;
  }
  return my_as;
}

Update Update::endOfRib(Afi afi) {
  Update update;
  if (afi != Afi::Ipv4) {
    update.attributes.mp_unreach = MpUnreach{afi, Safi::Unicast, {}};
  }
  return update;
}

std::optional<Afi> Update::endOfRibFamily() const {
  if (!withdrawn.empty() || !nlri.empty()) {
    return std::nullopt;
  }
  const auto& unreach = attributes.mp_unreach;
  if (unreach && !unreach->withdrawn.empty()) {
    return std::nullopt;
  }

  // Nothing but that (empty) MP_UNREACH_NLRI may be there.
  PathAttributes only_unreach;
  only_unreach.mp_unreach = unreach;
  if (!(attributes == only_unreach)) {
    return std::nullopt;
  }
  return unreach ? unreach->afi : Afi::Ipv4;
}

MessageType typeOf(const Message& message) {
  // Message lists the types in the order of their type codes.
  return static_cast<MessageType>(message.index() + 1);
}

std::string messageTypeName(std::uint8_t type) {
  switch (type) {
    case 1:
      return "open";
    case 2:
      return "update";
    case 3:
      return "notification";
    case 4:
      return "keepalive";
    case 5:
      return "route-refresh";
    default:
      return "type-" + std::to_string(type);
  }
}

}  // namespace vipd::bgp
