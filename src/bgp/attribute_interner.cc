#include "bgp/attribute_interner.h"

#include <algorithm>
#include <functional>
#include <utility>

namespace vipd::bgp {
namespace {

// boost::hash_combine's mixing, without Boost.
void mix(std::size_t& seed, std::size_t value) {
  seed ^= value + 0x9E3779B97F4A7C15ULL + (seed << 6) + (seed >> 2);
}

void mixAddress(std::size_t& seed, const IpAddress& address) {
  const Prefix host = Prefix::host(address);
  mix(seed, PrefixHash{}(host));
}

template <typename T>
void mixOptional(std::size_t& seed, const std::optional<T>& value) {
  mix(seed, value ? std::hash<T>{}(*value) + 1 : 0);
}

void mixPrefixes(std::size_t& seed, const std::vector<Prefix>& prefixes) {
  mix(seed, prefixes.size());
  for (const Prefix& prefix : prefixes) {
    mix(seed, PrefixHash{}(prefix));
  }
}

void mixAsPath(std::size_t& seed, const std::optional<AsPath>& path) {
  mix(seed, path ? path->segments().size() + 1 : 0);
  if (!path) {
    return;
  }
  for (const AsPathSegment& segment : path->segments()) {
    mix(seed, static_cast<std::size_t>(segment.type));
    for (const std::uint32_t asn : segment.asns) {
      mix(seed, asn);
    }
  }
}

void mixMp(std::size_t& seed, const PathAttributes& a) {
  mix(seed, a.mp_reach.has_value());
  if (a.mp_reach) {
    mix(seed, static_cast<std::size_t>(a.mp_reach->afi));
    mix(seed, static_cast<std::size_t>(a.mp_reach->safi));
    mixAddress(seed, a.mp_reach->next_hop);
    mix(seed, a.mp_reach->link_local.has_value());
    if (a.mp_reach->link_local) {
      mixAddress(seed, *a.mp_reach->link_local);
    }
    mixPrefixes(seed, a.mp_reach->nlri);
  }
  mix(seed, a.mp_unreach.has_value());
  if (a.mp_unreach) {
    mix(seed, static_cast<std::size_t>(a.mp_unreach->afi));
    mixPrefixes(seed, a.mp_unreach->withdrawn);
  }
}

}  // namespace

std::size_t hashAttributes(const PathAttributes& a) {
  std::size_t seed = 0;
  mix(seed, a.origin ? static_cast<std::size_t>(*a.origin) + 1 : 0);
  mixAsPath(seed, a.as_path);
  mix(seed, a.next_hop.has_value());
  if (a.next_hop) {
    mixAddress(seed, *a.next_hop);
  }
  mixOptional(seed, a.multi_exit_disc);
  mixOptional(seed, a.local_pref);
  mix(seed, a.atomic_aggregate);
  mix(seed, a.aggregator ? a.aggregator->asn + 1 : 0);
  for (const Community& community : a.communities) {
    mix(seed, community.value);
  }
  for (const LargeCommunity& large : a.large_communities) {
    mix(seed, large.global_administrator);
    mix(seed, large.local_data_1);
    mix(seed, large.local_data_2);
  }
  mixMp(seed, a);
  for (const RawAttribute& raw : a.unknown) {
    mix(seed, raw.type);
    mix(seed, raw.value.size());
  }
  return seed;
}

SharedAttributes AttributeInterner::intern(PathAttributes attributes) {
  auto& bucket = by_hash_[hashAttributes(attributes)];
  for (const auto& held : bucket) {
    if (SharedAttributes shared = held.lock(); shared && *shared == attributes) {
      return shared;
    }
  }

  auto shared = std::make_shared<const PathAttributes>(std::move(attributes));
  bucket.push_back(shared);
  if (++entries_ >= sweep_at_) {
    sweep();
  }
  return shared;
}

// Drops the entries of sets nobody holds; the next sweep comes when the table has doubled,
// so that sweeping costs O(1) per intern() on average.
void AttributeInterner::sweep() {
  entries_ = 0;
  for (auto it = by_hash_.begin(); it != by_hash_.end();) {
    std::erase_if(it->second, [](const auto& held) { return held.expired(); });
    entries_ += it->second.size();
    it = it->second.empty() ? by_hash_.erase(it) : std::next(it);
  }
  sweep_at_ = std::max<std::size_t>(16, 2 * entries_);
}

std::size_t AttributeInterner::size() const {
  std::size_t live = 0;
  for (const auto& [hash, bucket] : by_hash_) {
    live += static_cast<std::size_t>(
        std::ranges::count_if(bucket, [](const auto& held) { return !held.expired(); }));
  }
  return live;
}

}  // namespace vipd::bgp
