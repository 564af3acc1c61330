#include "ipvs/ownership_store.h"

#include <array>
#include <boost/json.hpp>
#include <utility>

namespace vipd::ipvs {

namespace {

constexpr std::array<std::pair<Protocol, std::string_view>, 3> kProtocols = {{
    {Protocol::Tcp, "tcp"},
    {Protocol::Udp, "udp"},
    {Protocol::Sctp, "sctp"},
}};

std::string_view familyName(IpAddress::Family family) {
  return family == IpAddress::Family::V6 ? "ipv6" : "ipv4";
}

std::string_view protocolName(Protocol protocol) {
  for (const auto& [value, name] : kProtocols) {
    if (value == protocol) {
      return name;
    }
  }
  return "tcp";
}

boost::json::object encodeKey(const ServiceKey& key) {
  boost::json::object out;
  out["family"] = familyName(key.family);
  if (key.fwmark != 0) {
    out["fwmark"] = key.fwmark;
    return out;
  }
  out["protocol"] = protocolName(key.protocol);
  out["address"] = key.address.toString();
  out["port"] = key.port;
  return out;
}

std::expected<std::string_view, std::string> stringMember(const boost::json::object& object,
                                                          std::string_view name) {
  const auto* value = object.if_contains(name);
  if (value == nullptr || !value->is_string()) {
    return std::unexpected("\"" + std::string(name) + "\" must be a string");
  }
  return std::string_view(value->get_string());
}

std::expected<std::uint64_t, std::string> numberMember(const boost::json::object& object,
                                                       std::string_view name, std::uint64_t max) {
  const auto* value = object.if_contains(name);
  const auto* number = value == nullptr ? nullptr : value->if_int64();
  if (number == nullptr || *number < 1 || static_cast<std::uint64_t>(*number) > max) {
    return std::unexpected("\"" + std::string(name) + "\" must be a whole number in 1.." +
                           std::to_string(max));
  }
  return static_cast<std::uint64_t>(*number);
}

std::expected<void, std::string> decodeAddressAndPort(const boost::json::object& object,
                                                      ServiceKey& key) {
  const auto protocol = stringMember(object, "protocol");
  if (!protocol) {
    return std::unexpected(protocol.error());
  }
  bool known = false;
  for (const auto& [value, name] : kProtocols) {
    if (name == *protocol) {
      key.protocol = value;
      known = true;
    }
  }
  if (!known) {
    return std::unexpected("unknown protocol \"" + std::string(*protocol) + "\"");
  }

  const auto text = stringMember(object, "address");
  const auto address = text ? IpAddress::parse(*text) : std::nullopt;
  if (!address || address->family() != key.family) {
    return std::unexpected("\"address\" must be an address of the service's family");
  }
  key.address = *address;

  const auto port = numberMember(object, "port", 65535);
  if (!port) {
    return std::unexpected(port.error());
  }
  key.port = static_cast<std::uint16_t>(*port);
  return {};
}

std::expected<ServiceKey, std::string> decodeKey(const boost::json::value& value) {
  const auto* object = value.if_object();
  if (object == nullptr) {
    return std::unexpected("a service must be an object");
  }
  ServiceKey key;
  const auto family = stringMember(*object, "family");
  if (!family || (*family != "ipv4" && *family != "ipv6")) {
    return std::unexpected("\"family\" must be \"ipv4\" or \"ipv6\"");
  }
  key.family = *family == "ipv6" ? IpAddress::Family::V6 : IpAddress::Family::V4;

  if (object->contains("fwmark")) {
    const auto fwmark = numberMember(*object, "fwmark", 0xffffffff);
    if (!fwmark) {
      return std::unexpected(fwmark.error());
    }
    key.fwmark = static_cast<std::uint32_t>(*fwmark);
    return canonical(key);
  }
  if (auto decoded = decodeAddressAndPort(*object, key); !decoded) {
    return std::unexpected(decoded.error());
  }
  return canonical(key);
}

}  // namespace

boost::json::array encodeOwnedServices(const std::set<ServiceKey>& owned) {
  boost::json::array services;
  for (const auto& key : owned) {
    services.push_back(encodeKey(canonical(key)));
  }
  return services;
}

std::expected<std::set<ServiceKey>, std::string> decodeOwnedServices(
    const boost::json::value& services) {
  if (!services.is_array()) {
    return std::unexpected("\"services\" must be an array");
  }
  std::set<ServiceKey> owned;
  for (std::size_t i = 0; i < services.get_array().size(); ++i) {
    auto key = decodeKey(services.get_array()[i]);
    if (!key) {
      return std::unexpected("service " + std::to_string(i) + ": " + key.error());
    }
    owned.insert(*key);
  }
  return owned;
}

}  // namespace vipd::ipvs
