#include "ipvs/model.h"

namespace vipd::ipvs {

namespace {

constexpr std::uint32_t kFullNetmaskV4 = 0xffffffff;
constexpr std::uint32_t kFullNetmaskV6 = 128;

std::string_view protocolOption(Protocol protocol) {
  switch (protocol) {
    case Protocol::Tcp:
      return "-t";
    case Protocol::Udp:
      return "-u";
    case Protocol::Sctp:
      return "--sctp-service";
  }
  return "-t";
}

}  // namespace

std::string ServiceKey::toString() const {
  if (fwmark != 0) {
    std::string text = "-f " + std::to_string(fwmark);
    if (family == IpAddress::Family::V6) {
      text += " -6";
    }
    return text;
  }
  return std::string(protocolOption(protocol)) + " " + address.withPort(port);
}

std::uint32_t fullNetmask(IpAddress::Family family) {
  return family == IpAddress::Family::V6 ? kFullNetmaskV6 : kFullNetmaskV4;
}

ServiceKey canonical(ServiceKey key) {
  if (key.fwmark != 0) {
    key.protocol = Protocol::Tcp;
    key.address = IpAddress();
    key.port = 0;
  }
  return key;
}

Service canonical(Service service) {
  service.key = canonical(service.key);
  service.flags &= kServiceFlagsMask;
  if ((service.flags & kFlagPersistent) == 0) {
    service.persistence_timeout = 0;
    service.netmask = fullNetmask(service.key.family);
  }
  // An IPv6 netmask is a prefix length: all ones can only mean the whole address.
  if (service.key.family == IpAddress::Family::V6 && service.netmask == kFullNetmaskV4) {
    service.netmask = kFullNetmaskV6;
  }
  return service;
}

Destination canonical(Destination destination) {
  if (destination.forwarding != Forwarding::Tunnel) {
    destination.tunnel_type = TunnelType::Ipip;
  }
  if (destination.tunnel_type != TunnelType::Gue) {
    destination.tunnel_port = 0;
  }
  if (destination.tunnel_type == TunnelType::Ipip) {
    destination.tunnel_flags = 0;
  }
  return destination;
}

ServiceEntry canonical(const ServiceEntry& entry) {
  ServiceEntry out{canonical(entry.service), {}};
  for (const auto& [key, destination] : entry.destinations) {
    out.destinations.emplace(key, canonical(destination));
  }
  return out;
}

Table canonical(const Table& table) {
  Table out;
  for (const auto& [key, entry] : table.services) {
    out.services.emplace(canonical(key), canonical(entry));
  }
  return out;
}

}  // namespace vipd::ipvs
