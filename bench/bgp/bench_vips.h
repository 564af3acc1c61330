// The VIPs both BGP benches give the speaker: N of one /32 each, 198.18.0.0 and up, one
// service of two servers each, announced with the attributes of bench/bgp/run's reference
// BIRD sender, so that vipd's UPDATEs and BIRD's carry the same.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bgp/communities.h"
#include "bgp/speaker.h"

namespace vipd::bgp::bench {

// "198.18.0.0" + k.
inline std::string vipName(std::uint32_t k) {
  const std::uint32_t n = ((198u << 24) | (18u << 16)) + k;
  return std::to_string(n >> 24) + "." + std::to_string((n >> 16) & 255) + "." +
         std::to_string((n >> 8) & 255) + "." + std::to_string(n & 255);
}

inline std::vector<VipPolicy> vipPolicies(std::uint32_t count) {
  std::vector<VipPolicy> vips;
  vips.reserve(count);
  for (std::uint32_t k = 0; k < count; ++k) {
    VipPolicy vip;
    vip.name = vipName(k);
    vip.prefixes.push_back(*Prefix::parse(vip.name));
    vips.push_back(std::move(vip));
  }
  return vips;
}

// The reference sender's export filter (bench/bgp/run writes it): MED 100, community
// 64512:100, large community 64512:1:1.
inline RouteAttributes referenceAttributes() {
  RouteAttributes attributes;
  attributes.med = 100;
  attributes.communities.push_back(Community::of(64512, 100));
  attributes.large_communities.push_back({64512, 1, 1});
  return attributes;
}

// The VIP's one service with both its servers up, or none.
inline VipHealth health(bool up) {
  return VipHealth{{ServiceHealth{"web", 2, up ? 2u : 0u, true}}};
}

}  // namespace vipd::bgp::bench
