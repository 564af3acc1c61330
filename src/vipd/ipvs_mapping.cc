#include "vipd/ipvs_mapping.h"

#include <charconv>

namespace vipd {

namespace {

ipvs::Protocol toIpvsProtocol(config::Protocol protocol) {
  switch (protocol) {
    case config::Protocol::Tcp:
      return ipvs::Protocol::Tcp;
    case config::Protocol::Udp:
      return ipvs::Protocol::Udp;
    case config::Protocol::Sctp:
      return ipvs::Protocol::Sctp;
  }
  return ipvs::Protocol::Tcp;
}

ipvs::Forwarding toIpvsForwarding(config::Forwarding forwarding) {
  switch (forwarding) {
    case config::Forwarding::DirectRouting:
      return ipvs::Forwarding::DirectRoute;
    case config::Forwarding::Nat:
      return ipvs::Forwarding::Masquerade;
    case config::Forwarding::Tunnel:
      return ipvs::Forwarding::Tunnel;
  }
  return ipvs::Forwarding::DirectRoute;
}

// flag-N are the generic names; sh-* and mh-* the scheduler-specific ones ipvsadm knows.
std::expected<std::uint32_t, std::string> schedulerFlag(const std::string& name) {
  if (name == "flag-1" || name == "sh-fallback" || name == "mh-fallback") {
    return ipvs::kFlagSched1;
  }
  if (name == "flag-2" || name == "sh-port" || name == "mh-port") {
    return ipvs::kFlagSched2;
  }
  if (name == "flag-3") {
    return ipvs::kFlagSched3;
  }
  return std::unexpected("unknown scheduler flag '" + name + "'");
}

// An IPv4 netmask in dotted form, or an IPv6 prefix length.
std::expected<std::uint32_t, std::string> persistenceNetmask(const std::string& text,
                                                             IpAddress::Family family) {
  if (family == IpAddress::Family::V6) {
    std::uint32_t length = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), length);
    if (ec != std::errc() || end != text.data() + text.size() || length > 128) {
      return std::unexpected("persistence netmask '" + text +
                             "' is not an IPv6 prefix length (0..128)");
    }
    return length;
  }
  const auto mask = IpAddress::parse(text);
  if (!mask || !mask->isV4()) {
    return std::unexpected("persistence netmask '" + text + "' is not an IPv4 netmask");
  }
  const auto& b = mask->bytes();
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         std::uint32_t{b[3]};
}

ipvs::ServiceKey serviceKey(const config::ServiceConfig& service) {
  ipvs::ServiceKey key;
  key.protocol = toIpvsProtocol(service.protocol);
  if (service.fwmark) {
    key.fwmark = *service.fwmark;
    key.family = service.fwmark_family.value_or(IpAddress::Family::V4);
    return key;
  }
  key.address = *service.vip;
  key.family = service.vip->family();
  key.port = service.port;
  return key;
}

}  // namespace

std::expected<ipvs::Service, std::string> toIpvsService(const config::ServiceConfig& service) {
  if (!service.fwmark && !service.vip) {
    return std::unexpected("service has neither an address nor a fwmark");
  }

  ipvs::Service out;
  out.key = serviceKey(service);
  out.scheduler = service.scheduler;
  out.netmask = out.key.family == IpAddress::Family::V6 ? 128 : 0xffffffff;

  for (const auto& name : service.scheduler_flags) {
    const auto flag = schedulerFlag(name);
    if (!flag) {
      return std::unexpected(flag.error());
    }
    out.flags |= *flag;
  }
  if (service.one_packet) {
    out.flags |= ipvs::kFlagOnePacket;
  }
  if (service.persistence_timeout) {
    out.flags |= ipvs::kFlagPersistent;
    out.persistence_timeout = *service.persistence_timeout;
  }
  if (service.persistence_netmask) {
    const auto mask = persistenceNetmask(*service.persistence_netmask, out.key.family);
    if (!mask) {
      return std::unexpected(mask.error());
    }
    out.netmask = *mask;
  }
  return out;
}

std::optional<ipvs::Destination> toIpvsDestination(const config::ServiceConfig& service,
                                                   const IpAddress& address, std::uint16_t port,
                                                   std::uint32_t weight, bool pooled) {
  if (!pooled && service.depool_action == config::DepoolAction::Remove) {
    return std::nullopt;
  }
  ipvs::Destination destination;
  destination.key = {address, port};
  destination.forwarding = toIpvsForwarding(service.forwarding);
  destination.weight = pooled ? weight : 0;
  return destination;
}

}  // namespace vipd
