#include "config/config_checks.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "config/server_list.h"

namespace vipd::config {

namespace {

constexpr auto kError = Diagnostic::Severity::Error;
constexpr auto kWarning = Diagnostic::Severity::Warning;

std::string quoted(const std::string& value) {
  // libyang quotes a key with ' unless it holds one.
  return value.find('\'') == std::string::npos ? "'" + value + "'" : "\"" + value + "\"";
}

std::string atLine(const LineOfPath& line_of, const std::string& path) {
  const auto line = line_of(path);
  return line ? fmt::format(" (line {})", *line) : std::string{};
}

std::string_view protocolName(Protocol protocol) {
  switch (protocol) {
    case Protocol::Tcp:
      return "tcp";
    case Protocol::Udp:
      return "udp";
    case Protocol::Sctp:
      return "sctp";
  }
  return "tcp";
}

// What makes two services one IPVS service: protocol, VIP and port, or fwmark and family.
std::string identityOf(const ServiceConfig& service) {
  if (service.fwmark) {
    return fmt::format("fwmark {} {}", *service.fwmark,
                       service.fwmark_family == IpAddress::Family::V6 ? "ipv6" : "ipv4");
  }
  return fmt::format("{} {}", protocolName(service.protocol),
                     service.vip ? service.vip->withPort(service.port) : std::string{"?"});
}

void checkDuplicateServices(const Config& config, const LineOfPath& line_of, Diagnostics& out) {
  std::map<std::string, const ServiceConfig*> seen;
  for (const ServiceConfig& service : config.services) {
    const std::string identity = identityOf(service);
    const auto [it, inserted] = seen.emplace(identity, &service);
    if (inserted) {
      continue;
    }
    out.push_back({kError, "", std::nullopt, servicePath(service.name),
                   fmt::format("services \"{}\"{} and \"{}\" are the same IPVS service ({})",
                               it->second->name, atLine(line_of, servicePath(it->second->name)),
                               service.name, identity)});
  }
}

// The IPVS flag bit (1..3) a scheduler flag sets, and the scheduler it is reserved to.
std::pair<int, std::string_view> flagBit(const std::string& flag) {
  if (flag == "sh-fallback") {
    return {1, "sh"};
  }
  if (flag == "sh-port") {
    return {2, "sh"};
  }
  if (flag == "mh-fallback") {
    return {1, "mh"};
  }
  if (flag == "mh-port") {
    return {2, "mh"};
  }
  return {flag.back() - '0', ""};
}

void checkSchedulerFlags(const ServiceConfig& service, Diagnostics& out) {
  std::map<int, std::string> bits;
  for (const std::string& flag : service.scheduler_flags) {
    const std::string path = servicePath(service.name, "scheduler-flags") + "[.='" + flag + "']";
    const auto [bit, only_for] = flagBit(flag);
    if (!only_for.empty() && only_for != service.scheduler) {
      out.push_back({kError, "", std::nullopt, path,
                     fmt::format("scheduler flag {} fits only scheduler {}, not {}", flag, only_for,
                                 service.scheduler)});
    }
    const auto [it, inserted] = bits.emplace(bit, flag);
    if (!inserted) {
      out.push_back({kError, "", std::nullopt, path,
                     fmt::format("scheduler flags {} and {} are the same flag (flag-{})",
                                 it->second, flag, bit)});
    }
  }
}

// A dotted IPv4 netmask must be contiguous ones; a prefix length fits IPv6 only.
void checkPersistence(const ServiceConfig& service, Diagnostics& out) {
  if (!service.persistence_netmask) {
    return;
  }
  const std::string path = servicePath(service.name, "persistence/netmask");
  const bool v6 =
      service.vip ? service.vip->isV6() : service.fwmark_family == IpAddress::Family::V6;
  const auto mask = IpAddress::parse(*service.persistence_netmask);
  if (mask && v6) {
    out.push_back({kError, "", std::nullopt, path,
                   "an IPv6 service takes a prefix length (1..128) as persistence netmask"});
    return;
  }
  if (!mask && !v6) {
    out.push_back({kError, "", std::nullopt, path,
                   "an IPv4 service takes a dotted netmask such as 255.255.255.0"});
    return;
  }
  if (mask) {
    const auto& b = mask->bytes();
    const std::uint32_t bits = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) |
                               (std::uint32_t{b[2]} << 8) | std::uint32_t{b[3]};
    const std::uint32_t inverted = ~bits;
    if (bits == 0 || (inverted & (inverted + 1)) != 0) {
      out.push_back({kError, "", std::nullopt, path,
                     "the persistence netmask " + *service.persistence_netmask +
                         " is not contiguous ones followed by zeros"});
    }
  }
}

void checkServiceAlone(const ServiceConfig& service, Diagnostics& out) {
  checkSchedulerFlags(service, out);
  checkPersistence(service, out);
  if (service.one_packet && service.protocol != Protocol::Udp) {
    out.push_back({kWarning, "", std::nullopt, servicePath(service.name, "one-packet"),
                   "one-packet scheduling acts on UDP only; this service is " +
                       std::string(protocolName(service.protocol))});
  }
  if (service.server_list) {
    const std::string& url = service.server_list->url;
    if (const auto path = filePathOfUrl(url); !path && url.rfind("file:", 0) == 0) {
      out.push_back(
          {kError, "", std::nullopt, servicePath(service.name, "server-list/url"), path.error()});
    } else if (url.rfind("file:", 0) != 0) {
      out.push_back({kWarning, "", std::nullopt, servicePath(service.name, "server-list/url"),
                     "only file: server lists are read so far; the service has only its "
                     "inline servers"});
    }
  } else if (service.servers.empty()) {
    out.push_back({kWarning, "", std::nullopt, servicePath(service.name),
                   "the service has neither a server-list nor servers"});
  }
}

// What services on one VIP must agree on besides the MED: they make one announcement.
ServiceAnnounce vipLevelPolicy(const ServiceAnnounce& announce) {
  ServiceAnnounce policy = announce;
  policy.announce = true;
  policy.prefixes.clear();
  policy.attributes.med.reset();
  return policy;
}

void checkSharedVip(const ServiceConfig& first, const ServiceConfig& service, const Config& config,
                    const LineOfPath& line_of, Diagnostics& out) {
  const auto global_med = config.global.bgp.attributes.med;
  const auto med = service.announce.attributes.med ? service.announce.attributes.med : global_med;
  const auto other = first.announce.attributes.med ? first.announce.attributes.med : global_med;
  const std::string both =
      fmt::format("services \"{}\"{} and \"{}\" share VIP {}", first.name,
                  atLine(line_of, servicePath(first.name)), service.name, service.vip->toString());
  const auto medText = [](std::optional<std::uint32_t> value) {
    return value ? std::to_string(*value) : std::string("none");
  };
  if (med != other) {
    // PyBal refuses to start on this too.
    out.push_back(
        {kError, "", std::nullopt, servicePath(service.name, "bgp/attributes/med"),
         fmt::format("{} but not their MED ({} and {})", both, medText(other), medText(med))});
  }
  if (vipLevelPolicy(first.announce) != vipLevelPolicy(service.announce)) {
    out.push_back({kError, "", std::nullopt, servicePath(service.name, "bgp"),
                   both + " but not their bgp min-healthy, health-rule, peer and attributes, "
                          "which make one announcement"});
  }
}

void checkVips(const Config& config, const LineOfPath& line_of, Diagnostics& out) {
  std::map<IpAddress, const ServiceConfig*> first_on_vip;
  for (const ServiceConfig& service : config.services) {
    if (!service.vip || !service.announce.announce) {
      continue;
    }
    const auto [it, inserted] = first_on_vip.emplace(*service.vip, &service);
    if (!inserted) {
      checkSharedVip(*it->second, service, config, line_of, out);
    }
  }
}

void checkFwmarkPrefixes(const Config& config, Diagnostics& out) {
  for (const ServiceConfig& service : config.services) {
    if (!service.fwmark) {
      continue;
    }
    const auto family = service.fwmark_family.value_or(IpAddress::Family::V4);
    for (const IpPrefix& prefix : service.announce.prefixes) {
      if (prefix.address.family() != family) {
        out.push_back({kError, "", std::nullopt, servicePath(service.name, "bgp/prefix"),
                       fmt::format("prefix {}/{} is not of the service's address family",
                                   prefix.address.toString(), prefix.length)});
      }
    }
    if (config.global.bgp.enabled && service.announce.announce &&
        service.announce.prefixes.empty()) {
      out.push_back({kError, "", std::nullopt, servicePath(service.name, "fwmark"),
                     fmt::format("fwmark service \"{}\" announces over BGP but has no bgp/prefix "
                                 "(or set bgp/announce to false)",
                                 service.name)});
    }
  }
}

// The families of the VIPs announced to a peer.
std::pair<bool, bool> announcedFamilies(const Config& config, const BgpPeer& peer) {
  bool v4 = false;
  bool v6 = false;
  for (const ServiceConfig& service : config.services) {
    const ServiceAnnounce& announce = service.announce;
    const bool told =
        announce.peers.empty() ||
        std::find(announce.peers.begin(), announce.peers.end(), peer.name) != announce.peers.end();
    if (!announce.announce || !told) {
      continue;
    }
    const auto family =
        service.vip ? service.vip->family() : service.fwmark_family.value_or(IpAddress::Family::V4);
    const auto& own = announce.attributes;
    const bool has_own = family == IpAddress::Family::V4 ? own.next_hop_ipv4.has_value()
                                                         : own.next_hop_ipv6.has_value();
    if (!has_own) {
      (family == IpAddress::Family::V4 ? v4 : v6) = true;
    }
  }
  return {v4, v6};
}

// A prefix of the family the peer's address is not of needs a configured next hop (the
// session has no local address of that family); otherwise it is never sent.
void checkPeers(const Config& config, Diagnostics& out) {
  const BgpGlobal& bgp = config.global.bgp;
  for (const BgpPeer& peer : bgp.peers) {
    if (peer.local_address && peer.local_address->family() != peer.address.family()) {
      out.push_back(
          {kError, "", std::nullopt, bgpPeerPath(peer.name, "local-address"),
           fmt::format("peer \"{}\": local-address {} is not of the family of {}", peer.name,
                       peer.local_address->toString(), peer.address.toString())});
    }
    if (!bgp.enabled) {
      continue;
    }
    const auto [v4, v6] = announcedFamilies(config, peer);
    const bool need_v4 = v4 && peer.ipv4_unicast && peer.address.isV6() &&
                         !peer.attributes.next_hop_ipv4 && !bgp.attributes.next_hop_ipv4;
    const bool need_v6 = v6 && peer.ipv6_unicast && peer.address.isV4() &&
                         !peer.attributes.next_hop_ipv6 && !bgp.attributes.next_hop_ipv6;
    if (need_v4 || need_v6) {
      const char* family = need_v4 ? "ipv4" : "ipv6";
      out.push_back(
          {kError, "", std::nullopt, bgpPeerPath(peer.name),
           fmt::format("peer \"{}\" at {} carries {}-unicast VIPs but no next-hop-{} is set "
                       "(global or peer attributes); set one, or {}-unicast false",
                       peer.name, peer.address.toString(), family, family, family)});
    }
  }
}

// PyBal needs a next hop for each family it announces; an import is held to the same.
void checkPybalNextHops(const Config& config, Diagnostics& out) {
  const BgpGlobal& bgp = config.global.bgp;
  if (!bgp.enabled || config.origin != Origin::Pybal) {
    return;
  }
  for (const ServiceConfig& service : config.services) {
    if (!service.vip || !service.announce.announce) {
      continue;
    }
    const bool missing =
        service.vip->isV4() ? !bgp.attributes.next_hop_ipv4 : !bgp.attributes.next_hop_ipv6;
    if (missing) {
      out.push_back({kError, "", std::nullopt, servicePath(service.name, "address"),
                     fmt::format("service \"{}\" announces {} over BGP but there is no {}",
                                 service.name, service.vip->toString(),
                                 service.vip->isV4() ? "bgp-nexthop-ipv4" : "bgp-nexthop-ipv6")});
    }
  }
}

void checkShutdownMessage(const Config& config, Diagnostics& out) {
  // RFC 9003 counts octets of UTF-8; the schema's length counts characters.
  if (config.global.bgp.shutdown_message.size() > 255) {
    out.push_back({kError, "", std::nullopt, std::string(kBgpPath) + "/shutdown-message",
                   fmt::format("shutdown-message is {} octets of UTF-8; at most 255 fit "
                               "(RFC 9003)",
                               config.global.bgp.shutdown_message.size())});
  }
}

}  // namespace

std::string bgpPeerPath(const std::string& name, std::string_view leaf) {
  std::string path = std::string(kBgpPath) + "/peer[name=" + quoted(name) + "]";
  if (!leaf.empty()) {
    path += "/";
    path += leaf;
  }
  return path;
}

std::string servicePath(const std::string& name, std::string_view leaf) {
  std::string path = "/vipd:config/service[name=" + quoted(name) + "]";
  if (!leaf.empty()) {
    path += "/";
    path += leaf;
  }
  return path;
}

Diagnostics checkConfig(const Config& config, const LineOfPath& line_of) {
  Diagnostics out;
  checkDuplicateServices(config, line_of, out);
  for (const ServiceConfig& service : config.services) {
    checkServiceAlone(service, out);
  }
  checkVips(config, line_of, out);
  checkFwmarkPrefixes(config, out);
  checkPeers(config, out);
  checkPybalNextHops(config, out);
  checkShutdownMessage(config, out);
  return out;
}

}  // namespace vipd::config
