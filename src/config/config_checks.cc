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

// PyBal refuses to start when services on one VIP disagree on the MED; so does vipd.
void checkMeds(const Config& config, const LineOfPath& line_of, Diagnostics& out) {
  std::map<IpAddress, const ServiceConfig*> first_on_vip;
  for (const ServiceConfig& service : config.services) {
    if (!service.vip || !service.announce.announce) {
      continue;
    }
    const auto [it, inserted] = first_on_vip.emplace(*service.vip, &service);
    const std::uint32_t med = service.announce.med.value_or(config.global.bgp.med);
    const std::uint32_t other = it->second->announce.med.value_or(config.global.bgp.med);
    if (!inserted && med != other) {
      out.push_back({kError, "", std::nullopt, servicePath(service.name, "bgp/med"),
                     fmt::format("services \"{}\"{} and \"{}\" share VIP {} but not their MED "
                                 "({} and {})",
                                 it->second->name, atLine(line_of, servicePath(it->second->name)),
                                 service.name, service.vip->toString(), other, med)});
    }
  }
}

void checkNextHops(const Config& config, Diagnostics& out) {
  const BgpGlobal& bgp = config.global.bgp;
  if (!bgp.enabled) {
    return;
  }
  for (const ServiceConfig& service : config.services) {
    if (!service.vip || !service.announce.announce) {
      continue;
    }
    const bool missing = service.vip->isV4() ? !bgp.nexthop_ipv4 : !bgp.nexthop_ipv6;
    if (missing) {
      out.push_back({kError, "", std::nullopt, servicePath(service.name, "address"),
                     fmt::format("service \"{}\" announces {} over BGP but global bgp has no {}",
                                 service.name, service.vip->toString(),
                                 service.vip->isV4() ? "nexthop-ipv4" : "nexthop-ipv6")});
    }
  }
}

}  // namespace

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
  checkMeds(config, line_of, out);
  checkNextHops(config, out);
  return out;
}

}  // namespace vipd::config
