#include "bgp/speaker.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <initializer_list>
#include <utility>

#include "bgp/as_path.h"
#include "bgp/communities.h"
#include "bgp/prefix_sort.h"

namespace vipd::bgp {
namespace {

constexpr std::uint32_t kDefaultLocalPref = 100;  // RFC 4271 leaves it to policy; usual value
// Distinct attribute recipes remembered; past it they are all forgotten (and computed again
// as needed): VIPs with their own attributes each are rare, and then none is worse off.
constexpr std::size_t kRecipeLimit = 32;
// A reload that removes more VIPs than this (and more than a quarter of those it keeps)
// compares whole tables instead of each removed VIP's prefixes.
constexpr std::size_t kWalkTablesAbove = 1000;

std::uint32_t neededServers(const MinHealthy& minimum, std::uint32_t servers) {
  std::uint64_t needed = minimum.value;
  if (minimum.kind == MinHealthy::Kind::Percent) {
    needed = (std::uint64_t{minimum.value} * servers + 99) / 100;
  }
  // A VIP with no server up is never healthy, whatever the percentage says.
  return static_cast<std::uint32_t>(std::max<std::uint64_t>(needed, 1));
}

void appendNumber(std::string& to, std::uint64_t value) {
  std::array<char, 20> digits{};
  const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), value).ptr;
  to.append(digits.data(), end);
}

template <typename T>
void appendUnique(std::vector<T>& to, const std::vector<T>& from) {
  for (const T& value : from) {
    if (std::ranges::find(to, value) == to.end()) {
      to.push_back(value);
    }
  }
}

// Global, peer, VIP (a layer may be null): a single value from the last layer that sets
// one; lists joined in order, without duplicates.
RouteAttributes mergeAttributes(std::initializer_list<const RouteAttributes*> layers) {
  RouteAttributes merged;
  for (const RouteAttributes* layer : layers) {
    if (layer == nullptr) {
      continue;
    }
    if (!layer->as_path.empty()) {
      merged.as_path = layer->as_path;
    }
    if (layer->prepend_local_as > 0) {
      merged.prepend_local_as = layer->prepend_local_as;
    }
    merged.med = layer->med ? layer->med : merged.med;
    merged.local_pref = layer->local_pref ? layer->local_pref : merged.local_pref;
    merged.next_hop_ipv4 = layer->next_hop_ipv4 ? layer->next_hop_ipv4 : merged.next_hop_ipv4;
    merged.next_hop_ipv6 = layer->next_hop_ipv6 ? layer->next_hop_ipv6 : merged.next_hop_ipv6;
    appendUnique(merged.communities, layer->communities);
    appendUnique(merged.large_communities, layer->large_communities);
  }
  return merged;
}

// RFC 4271 5.1.2: towards an external peer the path starts with our AS (prepended as many
// more times as asked); towards an internal one an originated route has none of ours.
AsPath asPathFor(const RouteAttributes& merged, std::uint32_t local_as, bool internal) {
  std::vector<std::uint32_t> path = merged.as_path;
  if (internal) {
    if (!path.empty() && path.front() == local_as) {
      path.erase(path.begin());
    }
    return AsPath::sequence(std::move(path));
  }
  if (path.empty() || path.front() != local_as) {
    path.insert(path.begin(), local_as);
  }
  path.insert(path.begin(), merged.prepend_local_as, local_as);
  return AsPath::sequence(std::move(path));
}

}  // namespace

std::string_view changeReasonName(ChangeReason reason) {
  switch (reason) {
    case ChangeReason::StartupHealthy:
      return "startup-healthy";
    case ChangeReason::Recovered:
      return "recovered";
    case ChangeReason::Unhealthy:
      return "unhealthy";
    case ChangeReason::PeerUp:
      return "peer-up";
    case ChangeReason::Drain:
      return "drain";
    case ChangeReason::Drained:
      return "drained";
    case ChangeReason::Undrain:
      return "undrain";
    case ChangeReason::Stop:
      return "stop";
    case ChangeReason::Removed:
      return "removed";
    case ChangeReason::Configured:
      return "configured";
    case ChangeReason::OperatorHold:
      return "operator-hold";
    case ChangeReason::OperatorRelease:
      return "operator-release";
  }
  return "unknown";
}

std::string_view vipStateName(Speaker::VipState state) {
  switch (state) {
    case Speaker::VipState::Withdrawn:
      return "withdrawn";
    case Speaker::VipState::HoldDown:
      return "hold-down";
    case Speaker::VipState::Announced:
      return "announced";
    case Speaker::VipState::WithdrawDelay:
      return "withdraw-delay";
  }
  return "unknown";
}

// Called on every health report (100,000 of them when every VIP fails at once): the text
// is appended in place, without temporaries.
VipVerdict evaluateVip(const VipPolicy& policy, const VipHealth& health) {
  VipVerdict verdict;
  evaluateVip(policy, health, verdict);
  return verdict;
}

void evaluateVip(const VipPolicy& policy, const VipHealth& health, VipVerdict& verdict) {
  verdict.detail.clear();
  if (health.services.empty()) {
    verdict.healthy = false;
    verdict.detail.append("no service reported");
    return;
  }

  std::size_t healthy_services = 0;
  for (const ServiceHealth& service : health.services) {
    const std::uint32_t needed = neededServers(policy.min_healthy, service.servers);
    if (service.programmed && service.up_enabled >= needed) {
      ++healthy_services;
      continue;
    }
    std::string& failing = verdict.detail;
    failing.reserve(48);  // "service=web-https up=1 needed=2 short=1": one allocation
    failing.append(failing.empty() ? "service=" : ", service=").append(service.service);
    if (!service.programmed) {
      failing.append(" not-programmed");
      continue;
    }
    appendNumber(failing.append(" up="), service.up_enabled);
    appendNumber(failing.append(" needed="), needed);
    appendNumber(failing.append(" short="), needed - service.up_enabled);
  }

  verdict.healthy = policy.rule == HealthRule::EveryService
                        ? healthy_services == health.services.size()
                        : healthy_services > 0;
  if (verdict.healthy) {
    verdict.detail.clear();
    appendNumber(verdict.detail.append("healthy="), healthy_services);
    appendNumber(verdict.detail.append("/"), health.services.size());
  }
}

Speaker::Speaker(SpeakerSettings settings, std::vector<VipPolicy> vips,
                 RouteAttributes global_attributes)
    : settings_(std::move(settings)), global_(std::move(global_attributes)) {
  for (VipPolicy& policy : vips) {
    Vip vip;
    vip.verdict = evaluateVip(policy, vip.health);
    vip.detail = vip.verdict.detail;
    std::string name = policy.name;
    vip.policy = std::move(policy);
    vips_.emplace(std::move(name), std::move(vip));
  }
  indexVips();
}

void Speaker::indexVips() {
  by_name_.clear();
  claims_.clear();
  deadlines_.clear();
  by_name_.reserve(vips_.size());
  claims_.reserve(vips_.size());
  for (auto& [name, vip] : vips_) {
    by_name_.emplace(name, &vip);
    for (const Prefix& prefix : vip.policy.prefixes) {
      Claimants& claimants = claims_[prefix];
      const Vip* last = claimants.others.empty() ? claimants.first : claimants.others.back();
      if (claimants.first == nullptr) {
        claimants.first = &vip;
      } else if (last != &vip) {
        claimants.others.push_back(&vip);
      }
    }
    if (vip.deadline) {
      deadlines_.emplace(*vip.deadline, &vip);
    }
  }
}

Speaker::Vip* Speaker::findVip(std::string_view name) {
  const auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

std::optional<Speaker::VipState> Speaker::vipState(std::string_view vip) const {
  const auto it = vips_.find(vip);
  if (it == vips_.end()) {
    return std::nullopt;
  }
  return it->second.state;
}

const PeerSettings* Speaker::peerSettings(std::string_view name) const {
  for (const PeerSettings& peer : settings_.peers) {
    if (peer.name == name) {
      return &peer;
    }
  }
  return nullptr;
}

// --- Health and time ---------------------------------------------------------------------

std::vector<RouteChange> Speaker::setHealth(std::string_view name, const VipHealth& health,
                                            TimePoint now) {
  std::vector<RouteChange> out;
  setHealth(name, health, now, out);
  return out;
}

void Speaker::setHealth(std::string_view name, const VipHealth& health, TimePoint now,
                        std::vector<RouteChange>& out) {
  Vip* vip = findVip(name);
  if (vip == nullptr) {
    return;
  }
  vip->health = health;
  evaluateVip(vip->policy, health, vip->verdict);
  if (!started_) {
    vip->detail = vip->verdict.detail;
    vip->changed = vip->changed.value_or(now);
    return;
  }
  applyVerdict(*vip, now);
  // Only this VIP's prefixes can change: O(peers x its prefixes), whatever the VIP count.
  syncVip(*vip, out);
}

std::vector<RouteChange> Speaker::startupDone(TimePoint now) {
  if (started_) {
    return {};
  }
  started_ = true;
  for (auto& [name, vip] : vips_) {
    // Start-up announces at once: there is nothing to flap from yet.
    enter(vip, vip.verdict.healthy ? VipState::Announced : VipState::Withdrawn,
          vip.verdict.healthy ? ChangeReason::StartupHealthy : ChangeReason::Unhealthy, now,
          std::nullopt);
  }
  return sync(std::nullopt);
}

void Speaker::applyVerdict(Vip& vip, TimePoint now) {
  const bool healthy = vip.verdict.healthy;
  switch (vip.state) {
    case VipState::Withdrawn:
      if (healthy && settings_.hold_down.count() > 0) {
        enter(vip, VipState::HoldDown, ChangeReason::Recovered, now, now + settings_.hold_down);
      } else if (healthy) {
        enter(vip, VipState::Announced, ChangeReason::Recovered, now, std::nullopt);
      }
      break;
    case VipState::HoldDown:
      if (!healthy) {
        enter(vip, VipState::Withdrawn, ChangeReason::Unhealthy, now, std::nullopt);
      }
      break;
    case VipState::Announced:
      if (!healthy && settings_.withdraw_delay.count() > 0) {
        enter(vip, VipState::WithdrawDelay, ChangeReason::Unhealthy, now,
              now + settings_.withdraw_delay);
      } else if (!healthy) {
        enter(vip, VipState::Withdrawn, ChangeReason::Unhealthy, now, std::nullopt);
      }
      break;
    case VipState::WithdrawDelay:
      if (healthy) {
        enter(vip, VipState::Announced, ChangeReason::Recovered, now, std::nullopt);
      }
      break;
  }
  vip.detail = vip.verdict.detail;
}

void Speaker::enter(Vip& vip, VipState state, ChangeReason reason, TimePoint now,
                    std::optional<TimePoint> deadline) {
  vip.state = state;
  vip.reason = reason;
  if (vip.deadline) {
    deadlines_.erase({*vip.deadline, &vip});
  }
  vip.deadline = deadline;
  if (deadline) {
    deadlines_.emplace(*deadline, &vip);
  }
  vip.detail = vip.verdict.detail;
  vip.changed = now;
}

std::vector<RouteChange> Speaker::tick(TimePoint now) {
  std::vector<Vip*> due;
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    due.push_back(deadlines_.begin()->second);
    deadlines_.erase(deadlines_.begin());
  }
  for (Vip* vip : due) {
    if (vip->state == VipState::HoldDown) {
      enter(*vip, VipState::Announced, ChangeReason::Recovered, now, std::nullopt);
    } else if (vip->state == VipState::WithdrawDelay) {
      enter(*vip, VipState::Withdrawn, ChangeReason::Unhealthy, now, std::nullopt);
    }
  }

  if (mode_deadline_ && *mode_deadline_ <= now) {
    mode_deadline_.reset();
    mode_changed_ = now;
    const bool stopping = mode_ == Mode::Stopping;
    mode_ = stopping ? Mode::Stopped : Mode::Drained;
    return sync(stopping ? ChangeReason::Stop : ChangeReason::Drained);
  }
  std::vector<RouteChange> out;
  for (const Vip* vip : due) {
    syncVip(*vip, out);
  }
  return out;
}

std::optional<Speaker::TimePoint> Speaker::nextDeadline() const {
  std::optional<TimePoint> next = mode_deadline_;
  if (!deadlines_.empty() && (!next || deadlines_.begin()->first < *next)) {
    next = deadlines_.begin()->first;
  }
  return next;
}

// Only the prefixes of the VIPs that were removed, added or changed are compared with what
// the peers have: a reload that changes one VIP of 100,000 costs one VIP's sync. When many
// were removed, one walk of each peer's table costs less than finding their prefixes.
std::vector<RouteChange> Speaker::setVips(std::vector<VipPolicy> vips, TimePoint now) {
  releaseRetired();
  std::vector<Prefix> touched;
  const auto touch = [&touched](const VipPolicy& policy) {
    touched.insert(touched.end(), policy.prefixes.begin(), policy.prefixes.end());
  };

  VipMap next;
  for (VipPolicy& policy : vips) {
    Vip vip;
    if (auto old = vips_.find(policy.name); old != vips_.end()) {
      vip = std::move(old->second);
      vips_.erase(old);
    }
    if (!(vip.policy == policy)) {
      touch(vip.policy);
      touch(policy);
      vip.policy = std::move(policy);
      reconfigure(vip, now);
    }
    std::string name = vip.policy.name;
    next.emplace(std::move(name), std::move(vip));
  }
  // What is left of the old VIPs was removed.
  const bool walk_tables = vips_.size() > kWalkTablesAbove && vips_.size() > next.size() / 4;
  if (!walk_tables) {
    for (const auto& [name, removed] : vips_) {
      touch(removed.policy);
    }
  }
  retired_ = std::exchange(vips_, std::move(next));
  indexVips();
  if (walk_tables) {
    return sync(std::nullopt);
  }

  std::ranges::sort(touched);
  const auto repeated = std::ranges::unique(touched);
  touched.erase(repeated.begin(), repeated.end());
  std::vector<RouteChange> out;
  out.reserve(touched.size() * peers_.size());
  syncPrefixes(touched, out);
  return out;
}

// A VIP's policy changed (or it is new): its verdict is evaluated again, and an announced VIP
// that stays announced is re-sent as configured.
void Speaker::reconfigure(Vip& vip, TimePoint now) {
  evaluateVip(vip.policy, vip.health, vip.verdict);
  if (started_) {
    applyVerdict(vip, now);
  }
  if (vip.state == VipState::Announced || vip.state == VipState::WithdrawDelay) {
    vip.reason = ChangeReason::Configured;
  }
}

// --- Drain and stop ----------------------------------------------------------------------

std::vector<RouteChange> Speaker::drain(TimePoint now) {
  if (mode_ != Mode::Normal) {
    return {};
  }
  mode_ = Mode::Draining;
  mode_deadline_ = now + settings_.drain_time;
  mode_changed_ = now;
  return sync(ChangeReason::Drain);
}

std::vector<RouteChange> Speaker::undrain(TimePoint now) {
  if (mode_ != Mode::Draining && mode_ != Mode::Drained) {
    return {};
  }
  mode_ = Mode::Normal;
  mode_deadline_.reset();
  mode_changed_ = now;
  return sync(ChangeReason::Undrain);
}

std::vector<RouteChange> Speaker::stop(TimePoint now) {
  if (mode_ == Mode::Stopping || mode_ == Mode::Stopped) {
    return {};
  }
  mode_changed_ = now;
  if (settings_.graceful_restart.enabled) {
    // RFC 4724: the peers keep our routes while we restart; withdrawing them defeats it.
    mode_ = Mode::Stopped;
    return {};
  }
  if (settings_.drain_on_stop && mode_ != Mode::Drained) {
    mode_ = Mode::Stopping;
    mode_deadline_ = now + settings_.drain_time;
    return sync(ChangeReason::Drain);
  }
  mode_ = Mode::Stopped;
  mode_deadline_.reset();
  return sync(ChangeReason::Stop);
}

// --- Operator holds ----------------------------------------------------------------------

std::vector<RouteChange> Speaker::setOperatorHold(std::string_view name, bool held, TimePoint now) {
  Vip* vip = findVip(name);
  if (vip == nullptr || vip->held == held) {
    return {};
  }
  vip->held = held;
  vip->changed = now;

  // The health state is left as it is: a release finds the VIP where health alone has it.
  if (held) {
    vip->reason = ChangeReason::OperatorHold;
    vip->detail = "operator hold";
  } else {
    vip->reason = ChangeReason::OperatorRelease;
    vip->detail = vip->verdict.detail;
  }
  return sync(std::nullopt);
}

bool Speaker::operatorHold(std::string_view name) const {
  const auto it = vips_.find(name);
  return it != vips_.end() && it->second.held;
}

std::optional<std::string> Speaker::resolveVip(std::string_view text) const {
  if (vips_.contains(text)) {
    return std::string(text);
  }
  const auto prefix = Prefix::parse(text);
  if (!prefix) {
    return std::nullopt;
  }
  for (const auto& [name, vip] : vips_) {
    if (std::ranges::find(vip.policy.prefixes, *prefix) != vip.policy.prefixes.end()) {
      return name;
    }
  }
  return std::nullopt;
}

// --- Peers -------------------------------------------------------------------------------

std::vector<RouteChange> Speaker::peerUp(std::string_view name, const PeerSession& session) {
  Peer& peer = peers_[std::string(name)];
  peer = Peer{session, {}};
  std::vector<RouteChange> out;
  next_part_ = first_part_;
  if (!(mode_ == Mode::Stopped && settings_.graceful_restart.enabled)) {
    syncPeer(std::string(name), peer, ChangeReason::PeerUp, out);
  }
  return out;
}

void Speaker::peerDown(std::string_view name) {
  if (const auto it = peers_.find(name); it != peers_.end()) {
    peers_.erase(it);
  }
}

std::vector<RouteChange> Speaker::table(std::string_view name) const {
  std::vector<RouteChange> out;
  const auto it = peers_.find(name);
  if (it == peers_.end()) {
    return out;
  }
  out.reserve(it->second.sent.size());
  for (const auto& [prefix, sent] : it->second.sent) {
    out.push_back(RouteChange{std::string(name), sent.vip, prefix, true, sent.attributes,
                              ChangeReason::PeerUp, "route-refresh", true});
  }
  std::ranges::sort(out, {}, &RouteChange::prefix);  // the table is hashed: in prefix order
  return out;
}

// --- What each peer is told --------------------------------------------------------------

bool Speaker::announcing(const Vip& vip) const {
  const bool mode_announces =
      mode_ == Mode::Normal || mode_ == Mode::Draining || mode_ == Mode::Stopping;
  const bool state_announces =
      vip.state == VipState::Announced || vip.state == VipState::WithdrawDelay;
  return started_ && mode_announces && state_announces && vip.policy.announce && !vip.held;
}

Speaker::Table Speaker::desiredTable(const std::string& peer_name, const Peer& peer) const {
  Table table;
  const PeerSettings* settings = peerSettings(peer_name);
  for (const auto& [name, vip] : vips_) {
    for (const Prefix& prefix : vip.policy.prefixes) {
      if (auto attributes = routeFrom(vip, peer_name, settings, peer, prefix)) {
        table.emplace_back(prefix, Route{&vip, std::move(attributes)});
      }
    }
  }

  // The first VIP (in vips_'s order) that announces a prefix wins it: a stable sort keeps
  // the VIPs' order within a prefix, and unique() the first of each.
  std::ranges::stable_sort(table, {}, &Table::value_type::first);
  const auto repeated = std::ranges::unique(table, {}, &Table::value_type::first);
  table.erase(repeated.begin(), repeated.end());
  return table;
}

// desiredTable()'s answer for one prefix, from the VIPs that list it alone.
std::optional<Speaker::Route> Speaker::desiredRoute(const std::string& peer_name,
                                                    const PeerSettings* settings, const Peer& peer,
                                                    const Prefix& prefix) const {
  const auto claimants = claims_.find(prefix);
  if (claimants == claims_.end()) {
    return std::nullopt;
  }
  const Vip* first = claimants->second.first;
  if (auto attributes = routeFrom(*first, peer_name, settings, peer, prefix)) {
    return Route{first, std::move(attributes)};
  }
  for (const Vip* vip : claimants->second.others) {
    if (auto attributes = routeFrom(*vip, peer_name, settings, peer, prefix)) {
      return Route{vip, std::move(attributes)};
    }
  }
  return std::nullopt;
}

// The attributes the VIP gives the prefix towards this peer; null when it does not announce
// it there (not announcing, another peer's, a family not negotiated, no next hop).
SharedAttributes Speaker::routeFrom(const Vip& vip, const std::string& peer_name,
                                    const PeerSettings* settings, const Peer& peer,
                                    const Prefix& prefix) const {
  const auto& wanted = vip.policy.peers;
  const bool negotiated = prefix.isV4() ? peer.session.ipv4_unicast : peer.session.ipv6_unicast;
  if (!announcing(vip) || !negotiated ||
      (!wanted.empty() && std::ranges::find(wanted, peer_name) == wanted.end())) {
    return nullptr;
  }
  return attributesFor(vip, settings, peer, prefix);
}

// Thousands of VIPs usually share one recipe: the attributes are built and interned once,
// not merged again for each prefix.
SharedAttributes Speaker::attributesFor(const Vip& vip, const PeerSettings* peer_settings,
                                        const Peer& peer, const Prefix& prefix) const {
  const bool v4 = prefix.isV4();
  const bool draining = mode_ == Mode::Draining || mode_ == Mode::Stopping;
  const auto& session_next_hop = v4 ? peer.session.local_ipv4 : peer.session.local_ipv6;
  for (const AttributeRecipe& recipe : recipes_) {
    if (recipe.peer_settings == peer_settings && recipe.v4 == v4 &&
        recipe.internal == peer.session.internal && recipe.draining == draining &&
        recipe.session_next_hop == session_next_hop && recipe.vip == vip.policy.attributes) {
      return recipe.attributes;
    }
  }

  auto built = buildAttributes(vip, peer_settings, peer, prefix);
  SharedAttributes attributes = built ? interner_.intern(std::move(*built)) : nullptr;
  if (recipes_.size() >= kRecipeLimit) {
    recipes_.clear();
  }
  recipes_.push_back(AttributeRecipe{peer_settings, v4, peer.session.internal, draining,
                                     session_next_hop, vip.policy.attributes, attributes});
  return attributes;
}

std::optional<PathAttributes> Speaker::buildAttributes(const Vip& vip,
                                                       const PeerSettings* peer_settings,
                                                       const Peer& peer,
                                                       const Prefix& prefix) const {
  const RouteAttributes merged =
      mergeAttributes({&global_, peer_settings != nullptr ? &peer_settings->attributes : nullptr,
                       &vip.policy.attributes});

  // RFC 4271 5.1.3 and RFC 4760 3: without a configured one, our own address is the next hop.
  std::optional<IpAddress> next_hop = prefix.isV4() ? merged.next_hop_ipv4 : merged.next_hop_ipv6;
  if (!next_hop) {
    next_hop = prefix.isV4() ? peer.session.local_ipv4 : peer.session.local_ipv6;
  }
  if (!next_hop) {
    return std::nullopt;
  }

  const bool internal = peer.session.internal;
  PathAttributes attributes;
  attributes.origin = Origin::Igp;
  attributes.as_path = asPathFor(merged, settings_.local_as, internal);
  attributes.multi_exit_disc = merged.med;
  attributes.communities = merged.communities;
  attributes.large_communities = merged.large_communities;

  // RFC 8326 4: a draining route carries GRACEFUL_SHUTDOWN and, inside the AS, LOCAL_PREF 0.
  const bool draining = mode_ == Mode::Draining || mode_ == Mode::Stopping;
  if (draining) {
    appendUnique(attributes.communities, std::vector<Community>{kGracefulShutdown});
  }
  if (internal) {
    attributes.local_pref = draining ? 0 : merged.local_pref.value_or(kDefaultLocalPref);
  }

  if (prefix.isV4()) {
    attributes.next_hop = next_hop;
  } else {
    attributes.mp_reach = MpReach{Afi::Ipv6, Safi::Unicast, *next_hop, std::nullopt, {}};
  }
  return attributes;
}

void Speaker::releaseRetired() {
  retired_.clear();
}

void Speaker::streamChanges(ChangeStream stream, std::size_t first_part) {
  stream_ = std::move(stream);
  first_part_ = std::max<std::size_t>(first_part, 1);
}

void Speaker::handOver(std::vector<RouteChange>& out) {
  if (!stream_ || out.size() < next_part_) {
    return;
  }
  stream_(out);
  next_part_ = std::min(next_part_ * 2, first_part_ * kStreamedPartGrowth);
  out = {};
  out.reserve(next_part_);
}

std::vector<RouteChange> Speaker::sync(std::optional<ChangeReason> reason) {
  std::vector<RouteChange> out;
  next_part_ = first_part_;
  if (mode_ == Mode::Stopped && settings_.graceful_restart.enabled) {
    return out;
  }
  for (auto& [name, peer] : peers_) {
    syncPeer(name, peer, reason, out);
  }
  return out;
}

void Speaker::syncPeer(const std::string& name, Peer& peer, std::optional<ChangeReason> reason,
                       std::vector<RouteChange>& out) {
  const Table desired = desiredTable(name, peer);
  const std::size_t most = peer.sent.size() + desired.size();
  out.reserve(out.size() + (stream_ ? std::min(most, next_part_) : most));

  // Withdrawals first, so that a peer never holds more than it should.
  withdrawUnwanted(name, peer, desired, reason, out);

  peer.sent.reserve(desired.size());
  for (const auto& [prefix, route] : desired) {
    syncPrefix(name, peer, prefix, &route, reason, out);
    handOver(out);
  }
}

// What the peer holds and is not to have, withdrawn in prefix order (as the announcements
// are) and taken out of its table in one walk: no lookup per prefix.
void Speaker::withdrawUnwanted(const std::string& name, Peer& peer, const Table& desired,
                               std::optional<ChangeReason> reason, std::vector<RouteChange>& out) {
  // Erasing from the table leaves the other entries where they are: the iterators stay valid.
  struct Gone {
    Prefix::SortKey key{};
    SentTable::iterator entry;
  };
  std::vector<Gone> gone;
  for (auto entry = peer.sent.begin(); entry != peer.sent.end(); ++entry) {
    if (!std::ranges::binary_search(desired, entry->first, {}, &Table::value_type::first)) {
      gone.push_back({entry->first.sortKey(), entry});
    }
  }
  sortByPrefixKey(gone, [](const Gone& route) -> const Prefix::SortKey& { return route.key; });

  // Sorted, the entries are read in no order the cache can guess: each would wait for memory.
  constexpr std::size_t kAhead = 16;
  for (std::size_t i = 0; i < gone.size(); ++i) {
    if (i + kAhead < gone.size()) {
      __builtin_prefetch(&*gone[i + kAhead].entry);
    }
    auto& [prefix, sent] = *gone[i].entry;
    withdrawSent(name, prefix, std::move(sent.vip), reason, out, nullptr);
    handOver(out);
  }
  if (gone.size() == peer.sent.size()) {
    peer.sent.clear();  // one sweep instead of one erase a prefix
    return;
  }
  for (const Gone& route : gone) {
    peer.sent.erase(route.entry);
  }
}

void Speaker::syncVip(const Vip& vip, std::vector<RouteChange>& out) {
  syncPrefixes(vip.policy.prefixes, out, &vip);
}

void Speaker::syncPrefixes(const std::vector<Prefix>& prefixes, std::vector<RouteChange>& out,
                           const Vip* likely_owner) {
  if (mode_ == Mode::Stopped && settings_.graceful_restart.enabled) {
    return;
  }
  for (auto& [name, peer] : peers_) {
    const PeerSettings* settings = peerSettings(name);
    const std::size_t first = out.size();
    for (const Prefix& prefix : prefixes) {
      const std::optional<Route> desired = desiredRoute(name, settings, peer, prefix);
      syncPrefix(name, peer, prefix, desired ? &*desired : nullptr, std::nullopt, out,
                 likely_owner);
    }
    // Withdrawals first, so that a peer never holds more than it should.
    if (out.size() - first > 1) {
      const auto of_peer =
          std::ranges::subrange(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
      std::ranges::stable_partition(of_peer,
                                    [](const RouteChange& change) { return !change.announce; });
    }
  }
}

// What the peer was sent for the prefix against what it is to have (desired, or nothing):
// the difference goes to out and into peer.sent.
void Speaker::syncPrefix(const std::string& name, Peer& peer, const Prefix& prefix,
                         const Route* desired, std::optional<ChangeReason> reason,
                         std::vector<RouteChange>& out, const Vip* likely_owner) {
  const auto sent = peer.sent.find(prefix);
  if (desired == nullptr) {
    if (sent == peer.sent.end()) {
      return;
    }
    std::string vip_name = std::move(sent->second.vip);
    peer.sent.erase(sent);
    withdrawSent(name, prefix, std::move(vip_name), reason, out, likely_owner);
    return;
  }

  // Interned: the same attributes are the same pointer. A prefix that passes to another VIP
  // with the same attributes changes nothing on the wire, only whose it is.
  const auto& [vip, attributes] = *desired;
  if (sent != peer.sent.end() && sent->second.attributes == attributes) {
    sent->second.vip = vip->policy.name;
    return;
  }
  const bool replaces = sent != peer.sent.end();
  // In place: 100,000 changes are not each built, then moved.
  count(out.emplace_back(name, vip->policy.name, prefix, true, attributes, because(vip, reason),
                         detailOf(vip, reason), replaces));
  if (replaces) {
    sent->second = SentRoute{attributes, vip->policy.name};
  } else {
    peer.sent.emplace(prefix, SentRoute{attributes, vip->policy.name});
  }
}

// The withdrawal of a prefix the peer held from vip_name (already out of its table).
void Speaker::withdrawSent(const std::string& name, const Prefix& prefix, std::string vip_name,
                           std::optional<ChangeReason> reason, std::vector<RouteChange>& out,
                           const Vip* likely_owner) {
  const bool owner_known = likely_owner != nullptr && likely_owner->policy.name == vip_name;
  const Vip* vip = owner_known ? likely_owner : findVip(vip_name);
  count(out.emplace_back(name, std::move(vip_name), prefix, false, nullptr, because(vip, reason),
                         detailOf(vip, reason), false));
}

ChangeReason Speaker::because(const Vip* vip, std::optional<ChangeReason> reason) {
  if (reason) {
    return *reason;
  }
  return vip != nullptr ? vip->reason : ChangeReason::Removed;
}

// A change for the whole speaker (drain, stop, a new peer) is not about the VIP's health.
std::string Speaker::detailOf(const Vip* vip, std::optional<ChangeReason> reason) {
  if (reason || vip == nullptr) {
    return std::string(changeReasonName(because(vip, reason)));
  }
  return vip->detail;
}

void Speaker::count(const RouteChange& change) {
  ++(change.announce ? counters_.announced : counters_.withdrawn);
  ++counters_.by_reason[static_cast<std::size_t>(change.reason)];
}

// --- What `show route` shows ------------------------------------------------------------

namespace {

// Whole seconds until deadline, rounded up: "announced in 4 s" is never "in 0 s" early.
long secondsUntil(std::optional<Speaker::TimePoint> deadline, Speaker::TimePoint now) {
  if (!deadline || *deadline <= now) {
    return 0;
  }
  return std::chrono::ceil<std::chrono::seconds>(*deadline - now).count();
}

void copyAttributes(const PathAttributes& attributes, RouteStatus& row) {
  row.next_hop =
      attributes.mp_reach ? std::optional(attributes.mp_reach->next_hop) : attributes.next_hop;
  if (attributes.as_path) {
    for (const AsPathSegment& segment : attributes.as_path->segments()) {
      row.as_path.insert(row.as_path.end(), segment.asns.begin(), segment.asns.end());
    }
  }
  row.med = attributes.multi_exit_disc;
  row.local_pref = attributes.local_pref;
  row.communities = attributes.communities;
  row.large_communities = attributes.large_communities;
}

}  // namespace

std::string Speaker::describeVip(std::string_view name, TimePoint now) const {
  const auto it = vips_.find(name);
  if (it == vips_.end()) {
    return "unknown";
  }
  return routeState(it->second) + ": " + vipReason(it->second, now);
}

std::string Speaker::routeState(const Vip& vip) const {
  const bool stopped_or_drained = mode_ == Mode::Drained || mode_ == Mode::Stopped;
  if (vip.held || !started_ || !vip.policy.announce || stopped_or_drained) {
    return "withdrawn";
  }
  if ((mode_ == Mode::Draining || mode_ == Mode::Stopping) && announcing(vip)) {
    return "draining";
  }
  return std::string(vipStateName(vip.state));
}

std::string Speaker::vipReason(const Vip& vip, TimePoint now) const {
  const std::string& health = vip.verdict.detail;
  if (vip.held) {
    return "operator hold (vipc announce vip releases it); health: " + health;
  }
  if (!vip.policy.announce) {
    return "not announced: the configuration says so";
  }
  if (!started_) {
    return "start-up: waiting for the first IPVS reconcile and every service's verdicts";
  }
  if (mode_ == Mode::Drained) {
    return "drained (vipc undrain announces it again)";
  }
  if (mode_ == Mode::Stopped) {
    return "vipd stopping";
  }
  if ((mode_ == Mode::Draining || mode_ == Mode::Stopping) && announcing(vip)) {
    return "GRACEFUL_SHUTDOWN sent, withdrawn in " +
           std::to_string(secondsUntil(mode_deadline_, now)) + " s";
  }
  switch (vip.state) {
    case VipState::HoldDown:
      return "healthy again (" + health + "), announced in " +
             std::to_string(secondsUntil(vip.deadline, now)) + " s";
    case VipState::WithdrawDelay:
      return health + ", withdrawn in " + std::to_string(secondsUntil(vip.deadline, now)) + " s";
    default:
      return health;
  }
}

// Why a prefix the VIP announces is not with this peer.
std::string Speaker::unsentReason(const Vip& vip, const std::string& peer_name,
                                  const Prefix& prefix) const {
  const auto peer = peers_.find(peer_name);
  if (peer == peers_.end()) {
    return "session with " + peer_name + " not established";
  }
  const bool v4 = prefix.isV4();
  if (!(v4 ? peer->second.session.ipv4_unicast : peer->second.session.ipv6_unicast)) {
    return std::string(v4 ? "ipv4" : "ipv6") + " unicast not negotiated with " + peer_name;
  }
  if (!attributesFor(vip, peerSettings(peer_name), peer->second, prefix)) {
    return std::string("no ") + (v4 ? "ipv4" : "ipv6") + " next hop towards " + peer_name +
           ": configure next-hop-" + (v4 ? "ipv4" : "ipv6");
  }
  return "announced to " + peer_name + " for another vip";
}

// The columns every peer's row of a VIP shares.
RouteStatus Speaker::vipRow(const std::string& name, const Vip& vip, TimePoint now,
                            std::chrono::system_clock::time_point wall_now) const {
  RouteStatus row;
  row.vip = name;
  row.state = routeState(vip);
  row.reason = vipReason(vip, now);
  row.operator_hold = vip.held;
  std::optional<TimePoint> changed = vip.changed;
  if (mode_changed_ && (!changed || *mode_changed_ > *changed)) {
    changed = mode_changed_;
  }
  if (changed) {
    row.since =
        wall_now - std::chrono::duration_cast<std::chrono::system_clock::duration>(now - *changed);
  }
  return row;
}

// What the peer holds of the prefix from us, or why it holds nothing of an announced VIP.
void Speaker::fillPeerColumns(const Vip& vip, const std::string& peer_name, const Prefix& prefix,
                              RouteStatus& row) const {
  row.prefix = prefix.toString();
  row.peer = peer_name;
  if (const auto peer = peers_.find(peer_name); peer != peers_.end()) {
    const auto sent = peer->second.sent.find(prefix);
    if (sent != peer->second.sent.end() && sent->second.vip == row.vip) {
      row.announced = true;
      copyAttributes(*sent->second.attributes, row);
      return;
    }
  }
  if (announcing(vip)) {
    row.reason = unsentReason(vip, peer_name, prefix);
  }
}

std::vector<RouteStatus> Speaker::routes(TimePoint now,
                                         std::chrono::system_clock::time_point wall_now) const {
  std::vector<RouteStatus> out;
  for (const auto& [name, vip] : vips_) {
    const RouteStatus shared = vipRow(name, vip, now, wall_now);
    const auto& wanted = vip.policy.peers;
    for (const PeerSettings& peer : settings_.peers) {
      if (!wanted.empty() && std::ranges::find(wanted, peer.name) == wanted.end()) {
        continue;
      }
      for (const Prefix& prefix : vip.policy.prefixes) {
        RouteStatus row = shared;
        fillPeerColumns(vip, peer.name, prefix, row);
        out.push_back(std::move(row));
      }
    }
  }
  return out;
}

}  // namespace vipd::bgp
