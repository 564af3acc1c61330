#include "vipd/bgp_settings.h"

#include <algorithm>

namespace vipd {

namespace {

bgp::RouteAttributes attributesOf(const config::BgpAttributes& from) {
  bgp::RouteAttributes to;
  to.med = from.med;
  to.as_path = from.as_path;
  to.prepend_local_as = from.as_path_prepend;
  for (const std::uint32_t value : from.communities) {
    to.communities.push_back(bgp::Community{value});
  }
  for (const auto& large : from.large_communities) {
    to.large_communities.push_back(
        {large.global_administrator, large.local_data_1, large.local_data_2});
  }
  to.local_pref = from.local_pref;
  to.next_hop_ipv4 = from.next_hop_ipv4;
  to.next_hop_ipv6 = from.next_hop_ipv6;
  return to;
}

bgp::PeerSettings peerOf(const config::BgpPeer& from) {
  bgp::PeerSettings to;
  to.name = from.name;
  to.address = from.address;
  to.port = from.port;
  to.peer_as = from.peer_as;
  to.passive = from.passive;
  to.local_address = from.local_address;
  to.local_port = from.local_port;
  to.hold_time = from.hold_time;
  to.connect_retry_time = from.connect_retry_time;
  to.idle_hold_time = from.idle_hold_time;
  to.max_idle_hold_time = from.max_idle_hold_time;
  to.stable_time = from.stable_time;
  to.md5_password = from.md5_password;
  to.ttl_security_hops = from.ttl_security_hops;
  to.ttl = from.ttl;
  to.families = {from.ipv4_unicast, from.ipv6_unicast};
  to.route_refresh = from.route_refresh;
  to.extended_messages = from.extended_messages;
  to.attributes = attributesOf(from.attributes);
  return to;
}

std::uint32_t identifierOf(const IpAddress& address) {
  const auto& b = address.bytes();
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         std::uint32_t{b[3]};
}

// PyBal's identifier was the session's local IPv4 address; one speaker has one identifier,
// so the first local IPv4 address configured stands in for it.
std::optional<std::uint32_t> routerId(const config::BgpGlobal& bgp) {
  if (bgp.router_id) {
    return identifierOf(*bgp.router_id);
  }
  std::vector<IpAddress> candidates = bgp.listen_addresses;
  for (const config::BgpPeer& peer : bgp.peers) {
    if (peer.local_address) {
      candidates.push_back(*peer.local_address);
    }
  }
  const auto v4 = std::ranges::find_if(candidates, [](const IpAddress& a) { return a.isV4(); });
  return v4 == candidates.end() ? std::nullopt : std::optional(identifierOf(*v4));
}

std::string vipName(const config::ServiceConfig& service) {
  return service.vip ? service.vip->toString() : service.name;
}

bgp::VipPolicy policyOf(const config::ServiceConfig& service) {
  const config::ServiceAnnounce& announce = service.announce;
  bgp::VipPolicy policy;
  policy.name = vipName(service);
  if (service.vip) {
    policy.prefixes.push_back(bgp::Prefix::host(*service.vip));
  }
  for (const config::IpPrefix& prefix : announce.prefixes) {
    if (const auto made = bgp::Prefix::make(prefix.address, prefix.length)) {
      policy.prefixes.push_back(*made);
    }
  }
  policy.rule = announce.health_rule == config::HealthRule::AnyService
                    ? bgp::HealthRule::AnyService
                    : bgp::HealthRule::EveryService;
  policy.min_healthy.kind =
      announce.min_healthy.percent ? bgp::MinHealthy::Kind::Percent : bgp::MinHealthy::Kind::Count;
  policy.min_healthy.value = announce.min_healthy.value;
  policy.attributes = attributesOf(announce.attributes);
  policy.peers = announce.peers;
  policy.announce = announce.announce;
  return policy;
}

}  // namespace

bgp::SpeakerSettings speakerSettings(const config::Config& config) {
  const config::BgpGlobal& bgp = config.global.bgp;
  bgp::SpeakerSettings settings;
  settings.local_as = bgp.local_as.value_or(0);
  settings.router_id = routerId(bgp);
  settings.listen_addresses = bgp.listen_addresses;
  settings.listen_port = bgp.listen_port;
  for (const config::BgpPeer& peer : bgp.peers) {
    settings.peers.push_back(peerOf(peer));
  }
  settings.graceful_restart = {bgp.graceful_restart.enabled, bgp.graceful_restart.restart_time,
                               bgp.graceful_restart.forwarding_preserved};
  settings.hold_down = bgp.hold_down;
  settings.withdraw_delay = bgp.withdraw_delay;
  settings.drain_time = bgp.drain_time;
  settings.drain_on_stop = bgp.drain_on_stop;
  settings.shutdown_message = bgp.shutdown_message;
  return settings;
}

bgp::RouteAttributes globalAttributes(const config::Config& config) {
  return attributesOf(config.global.bgp.attributes);
}

std::vector<bgp::VipPolicy> vipPolicies(const config::Config& config) {
  std::vector<bgp::VipPolicy> policies;
  for (const config::ServiceConfig& service : config.services) {
    const std::string name = vipName(service);
    const auto known =
        std::ranges::find_if(policies, [&](const bgp::VipPolicy& p) { return p.name == name; });
    if (known == policies.end()) {
      policies.push_back(policyOf(service));
    } else if (service.announce.announce && !known->announce) {
      // The first announcing service carries the VIP's policy (they all agree).
      *known = policyOf(service);
    }
  }
  return policies;
}

std::map<std::string, std::string> vipOfService(const config::Config& config) {
  std::map<std::string, std::string> result;
  for (const config::ServiceConfig& service : config.services) {
    if (service.announce.announce) {
      result.emplace(service.name, vipName(service));
    }
  }
  return result;
}

}  // namespace vipd
