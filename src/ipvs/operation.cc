#include "ipvs/operation.h"

#include <cerrno>
#include <climits>
#include <cstring>
#include <span>
#include <string_view>

namespace vipd::ipvs {

namespace {

std::string dottedNetmask(std::uint32_t mask) {
  return std::to_string((mask >> 24) & 0xff) + "." + std::to_string((mask >> 16) & 0xff) + "." +
         std::to_string((mask >> 8) & 0xff) + "." + std::to_string(mask & 0xff);
}

// ipvsadm names the scheduler flags after the scheduler that reads them.
std::string schedulerFlags(const Service& service) {
  struct Name {
    std::uint32_t flag;
    std::string_view name;
  };
  static constexpr Name kSh[] = {{kFlagSched1, "sh-fallback"}, {kFlagSched2, "sh-port"}};
  static constexpr Name kMh[] = {{kFlagSched1, "mh-fallback"}, {kFlagSched2, "mh-port"}};
  static constexpr Name kGeneric[] = {
      {kFlagSched1, "flag-1"}, {kFlagSched2, "flag-2"}, {kFlagSched3, "flag-3"}};

  std::span<const Name> names = kGeneric;
  if (service.scheduler == "sh") {
    names = kSh;
  } else if (service.scheduler == "mh") {
    names = kMh;
  }

  std::string text;
  for (const auto& [flag, name] : names) {
    if ((service.flags & flag) != 0) {
      text += text.empty() ? "" : ",";
      text += name;
    }
  }
  return text;
}

std::string serviceFields(const Service& service) {
  std::string text = " -s " + service.scheduler;

  if ((service.flags & kFlagPersistent) != 0) {
    text += " -p " + std::to_string(service.persistence_timeout);
    const std::uint32_t netmask = canonical(service).netmask;
    if (netmask != fullNetmask(service.key.family)) {
      text += " -M ";
      text += service.key.family == IpAddress::Family::V6 ? std::to_string(netmask)
                                                          : dottedNetmask(netmask);
    }
  }
  if ((service.flags & kFlagOnePacket) != 0) {
    text += " -o";
  }
  if (const std::string flags = schedulerFlags(service); !flags.empty()) {
    text += " -b " + flags;
  }
  return text;
}

std::string_view forwardingSwitch(Forwarding forwarding) {
  switch (forwarding) {
    case Forwarding::DirectRoute:
      return "-g";
    case Forwarding::Masquerade:
      return "-m";
    case Forwarding::Tunnel:
      return "-i";
  }
  return "-g";
}

// ipvsadm prints one checksum option, chosen by the flags' value.
std::string_view checksumOption(std::uint16_t flags) {
  if ((flags & kTunnelFlagRemoteCsum) != 0) {
    return "--tun-remcsum";
  }
  if ((flags & kTunnelFlagCsum) != 0) {
    return "--tun-csum";
  }
  return "--tun-nocsum";
}

std::string tunnelFields(const Destination& destination) {
  switch (destination.tunnel_type) {
    case TunnelType::Ipip:
      return " --tun-type ipip";
    case TunnelType::Gue:
      return " --tun-type gue --tun-port " + std::to_string(destination.tunnel_port) + " " +
             std::string(checksumOption(destination.tunnel_flags));
    case TunnelType::Gre:
      return " --tun-type gre " + std::string(checksumOption(destination.tunnel_flags));
  }
  return "";
}

std::string destinationAddress(const Destination& destination) {
  return " -r " + destination.key.address.withPort(destination.key.port);
}

std::string destinationFields(const Destination& destination) {
  std::string text = destinationAddress(destination);
  text += " ";
  text += forwardingSwitch(destination.forwarding);
  text += " -w " + std::to_string(destination.weight);
  if (destination.forwarding == Forwarding::Tunnel) {
    text += tunnelFields(destination);
  }
  if (destination.upper_threshold != 0) {
    text += " -x " + std::to_string(destination.upper_threshold);
  }
  if (destination.lower_threshold != 0) {
    text += " -y " + std::to_string(destination.lower_threshold);
  }
  return text;
}

// The schedulers of Linux 6.x (net/netfilter/ipvs/ip_vs_*.c).
bool knownScheduler(std::string_view name) {
  static constexpr std::string_view kSchedulers[] = {"rr",    "wrr", "lc", "wlc", "lblc",
                                                     "lblcr", "dh",  "sh", "sed", "nq",
                                                     "fo",    "ovf", "mh", "twos"};
  for (const auto known : kSchedulers) {
    if (known == name) {
      return true;
    }
  }
  return false;
}

// The checks ip_vs_add_dest and ip_vs_edit_dest make before looking the destination up.
int checkDestination(const Service& service, const Destination& destination) {
  if (destination.weight > static_cast<std::uint32_t>(INT_MAX)) {
    return ERANGE;
  }
  if (destination.lower_threshold > destination.upper_threshold) {
    return ERANGE;
  }
  if (destination.forwarding == Forwarding::Tunnel && destination.tunnel_type == TunnelType::Gue &&
      destination.tunnel_port == 0) {
    return EINVAL;
  }
  if (destination.key.address.family() != service.key.family &&
      destination.forwarding != Forwarding::Tunnel) {
    return EINVAL;
  }
  return 0;
}

int applyToService(Table& table, const Operation& operation) {
  const auto it = table.services.find(operation.service.key);
  switch (operation.kind) {
    case OperationKind::AddService:
      if (it != table.services.end()) {
        return EEXIST;
      }
      if (!knownScheduler(operation.service.scheduler)) {
        return ENOENT;
      }
      table.services.emplace(operation.service.key, ServiceEntry{operation.service, {}});
      return 0;
    case OperationKind::EditService:
      if (it == table.services.end()) {
        return ESRCH;
      }
      if (!knownScheduler(operation.service.scheduler)) {
        return ENOENT;
      }
      it->second.service = operation.service;
      return 0;
    case OperationKind::DeleteService:
      if (it == table.services.end()) {
        return ESRCH;
      }
      table.services.erase(it);
      return 0;
    default:
      return EINVAL;
  }
}

int applyToDestination(Table& table, const Operation& operation) {
  const auto service = table.services.find(operation.service.key);
  if (service == table.services.end()) {
    return ESRCH;
  }
  if (!operation.destination) {
    return EINVAL;
  }
  const Destination& destination = *operation.destination;
  auto& destinations = service->second.destinations;
  const auto it = destinations.find(destination.key);

  if (operation.kind == OperationKind::DeleteDestination) {
    if (it == destinations.end()) {
      return ENOENT;
    }
    destinations.erase(it);
    return 0;
  }

  if (const int error = checkDestination(service->second.service, destination); error != 0) {
    return error;
  }
  if (operation.kind == OperationKind::AddDestination) {
    if (it != destinations.end()) {
      return EEXIST;
    }
    destinations.emplace(destination.key, destination);
    return 0;
  }
  if (it == destinations.end()) {
    return ENOENT;
  }
  it->second = destination;
  return 0;
}

}  // namespace

std::string toIpvsadm(const Operation& operation) {
  const std::string service = operation.service.key.toString();
  const Destination empty;
  const Destination& destination = operation.destination ? *operation.destination : empty;

  switch (operation.kind) {
    case OperationKind::AddService:
      return "-A " + service + serviceFields(operation.service);
    case OperationKind::EditService:
      return "-E " + service + serviceFields(operation.service);
    case OperationKind::DeleteService:
      return "-D " + service;
    case OperationKind::AddDestination:
      return "-a " + service + destinationFields(destination);
    case OperationKind::EditDestination:
      return "-e " + service + destinationFields(destination);
    case OperationKind::DeleteDestination:
      return "-d " + service + destinationAddress(destination);
  }
  return "";
}

std::string errorText(int error) {
  if (const char* text = strerrordesc_np(error)) {
    return text;
  }
  return "error " + std::to_string(error);
}

int applyToTable(Table& table, const Operation& operation) {
  switch (operation.kind) {
    case OperationKind::AddService:
    case OperationKind::EditService:
    case OperationKind::DeleteService:
      return applyToService(table, operation);
    case OperationKind::AddDestination:
    case OperationKind::EditDestination:
    case OperationKind::DeleteDestination:
      return applyToDestination(table, operation);
  }
  return EINVAL;
}

}  // namespace vipd::ipvs
