#include "pool/pool.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <iterator>

namespace vipd::pool {

namespace {

// Below any threshold x total a configuration can mean, above the error of the product:
// 0.7 x 10 must require 7 servers, not 8.
constexpr double kEpsilon = 1e-9;
constexpr double kDefaultThreshold = 0.5;

double clampThreshold(double threshold) {
  if (std::isnan(threshold)) {
    return kDefaultThreshold;
  }
  return std::clamp(threshold, 0.0, 1.0);
}

bool isUp(Health health) {
  return health == Health::Up;
}

}  // namespace

std::string_view healthName(Health health) {
  switch (health) {
    case Health::Unknown:
      return "unknown";
    case Health::Up:
      return "up";
    case Health::Down:
      return "down";
  }
  return "unknown";
}

std::string ServerId::toString() const {
  if (host.find(':') != std::string::npos) {
    return "[" + host + "]:" + std::to_string(port);
  }
  return host + ":" + std::to_string(port);
}

std::string_view reasonName(Reason reason) {
  switch (reason) {
    case Reason::StartupUp:
      return "startup_up";
    case Reason::StartupDown:
      return "startup_down";
    case Reason::ServerUp:
      return "server_up";
    case Reason::ServerDown:
      return "server_down";
    case Reason::ThresholdKeeps:
      return "threshold_keeps";
    case Reason::ThresholdAllows:
      return "threshold_allows";
    case Reason::ThresholdRestores:
      return "threshold_restores";
    case Reason::Added:
      return "added";
    case Reason::Removed:
      return "removed";
    case Reason::Enabled:
      return "enabled";
    case Reason::Disabled:
      return "disabled";
    case Reason::WeightChanged:
      return "weight_changed";
  }
  return "unknown";
}

Pool::Pool(std::string service, double depool_threshold)
    : service_(std::move(service)), depool_threshold_(clampThreshold(depool_threshold)) {}

std::vector<Decision> Pool::setServers(const std::vector<ServerSpec>& servers) {
  // A host and port listed twice: the last entry counts.
  std::map<std::reference_wrapper<const ServerId>, const ServerSpec*, std::less<ServerId>> listed;
  for (const auto& spec : servers) {
    listed.insert_or_assign(std::cref(spec.id), &spec);
  }

  // Gone from the list.
  std::vector<Decision> removed;
  for (auto it = servers_.begin(); it != servers_.end();) {
    if (listed.contains(std::cref(it->first))) {
      ++it;
      continue;
    }
    removed.push_back({it->first, false, it->second.spec.weight, Reason::Removed});
    unindex(it);
    it = servers_.erase(it);
  }

  // New, re-enabled, disabled, reweighted.
  Touched touched;
  for (const auto& [id, spec] : listed) {
    auto [it, inserted] = servers_.try_emplace(id, ServerState{*spec, Health::Unknown, false});
    if (inserted) {
      touched.emplace(it, Before{.event = Event::Added});
      index(it);
      continue;
    }
    if (it->second.spec == *spec) {
      continue;
    }
    Event event = Event::None;
    if (it->second.spec.enabled != spec->enabled) {
      event = spec->enabled ? Event::Enabled : Event::Disabled;
    }
    touch(touched, it, event);
    unindex(it);
    it->second.spec = *spec;
    index(it);
    settle(touched, it);
  }

  if (starting_) {
    return allHaveVerdicts() ? endStartupNow() : std::vector<Decision>{};
  }
  rebalance(touched);
  return finish(touched, std::move(removed));
}

std::vector<Decision> Pool::setHealth(const ServerId& server, Health health) {
  const auto it = servers_.find(server);
  if (it == servers_.end() || it->second.health == health) {
    return {};
  }

  // After start-up Unknown counts as down: only a change of up-ness decides anything.
  const bool flipped = isUp(it->second.health) != isUp(health);
  Touched touched;
  if (!starting_ && flipped) {
    touch(touched, it, it->second.spec.enabled ? Event::HealthChanged : Event::None);
  }
  unindex(it);
  it->second.health = health;
  index(it);

  if (starting_) {
    return allHaveVerdicts() ? endStartupNow() : std::vector<Decision>{};
  }
  if (!flipped) {
    return {};
  }
  settle(touched, it);
  rebalance(touched);
  return finish(touched, {});
}

std::vector<Decision> Pool::setDepoolThreshold(double depool_threshold) {
  depool_threshold_ = clampThreshold(depool_threshold);
  if (starting_) {
    return {};
  }
  Touched touched;
  rebalance(touched);
  return finish(touched, {});
}

std::vector<Decision> Pool::endStartup() {
  if (!starting_) {
    return {};
  }
  return endStartupNow();
}

std::size_t Pool::requiredPooled() const {
  const double wanted = depool_threshold_ * static_cast<double>(servers_.size());
  return static_cast<std::size_t>(std::max(0.0, std::ceil(wanted - kEpsilon)));
}

bool Pool::canDepool() const {
  return up_enabled_ > requiredPooled();
}

void Pool::touch(Touched& touched, Entry entry, Event event) const {
  const ServerState& state = entry->second;
  auto [it, inserted] =
      touched.try_emplace(entry, Before{true, state.pooled, state.spec.weight, event});
  if (!inserted && event != Event::None) {
    it->second.event = event;
  }
}

void Pool::unindex(Entry entry) {
  const ServerState& state = entry->second;
  pooled_ -= state.pooled ? 1 : 0;
  if (!state.spec.enabled) {
    return;
  }
  --enabled_;
  unknown_enabled_ -= state.health == Health::Unknown ? 1 : 0;
  if (isUp(state.health)) {
    --up_enabled_;
    return;
  }
  (state.pooled ? pooled_down_ : idle_down_).erase(entry);
}

void Pool::index(Entry entry) {
  const ServerState& state = entry->second;
  pooled_ += state.pooled ? 1 : 0;
  if (!state.spec.enabled) {
    return;
  }
  ++enabled_;
  unknown_enabled_ += state.health == Health::Unknown ? 1 : 0;
  if (isUp(state.health)) {
    ++up_enabled_;
    return;
  }
  (state.pooled ? pooled_down_ : idle_down_).insert(entry);
}

void Pool::settle(Touched& touched, Entry entry) {
  if (starting_) {
    return;
  }
  const ServerState& state = entry->second;
  if (!state.spec.enabled) {
    setPooled(touched, entry, false);
  } else if (isUp(state.health)) {
    setPooled(touched, entry, true);
  }
}

void Pool::setPooled(Touched& touched, Entry entry, bool pooled) {
  if (entry->second.pooled == pooled) {
    return;
  }
  touch(touched, entry);
  unindex(entry);
  entry->second.pooled = pooled;
  index(entry);
}

bool Pool::allHaveVerdicts() const {
  return !servers_.empty() && unknown_enabled_ == 0;
}

// Up and enabled servers are already pooled (settle()); the shortfall below the threshold
// is filled with down servers, those already pooled first. Of the pooled-but-down servers
// the last in ServerId order are depooled first, of the others the first are pooled first.
void Pool::rebalance(Touched& touched) {
  const std::size_t required = requiredPooled();
  const std::size_t needed = required > up_enabled_ ? required - up_enabled_ : 0;
  while (pooled_down_.size() > needed) {
    setPooled(touched, *std::prev(pooled_down_.end()), false);
  }
  while (pooled_down_.size() < needed && !idle_down_.empty()) {
    setPooled(touched, *idle_down_.begin(), true);
  }
}

Reason Pool::reasonFor(const ServerState& state, const Before& before) const {
  switch (before.event) {
    case Event::Added:
      return state.pooled ? Reason::ThresholdRestores : Reason::Added;
    case Event::Disabled:
      return Reason::Disabled;
    case Event::Enabled:
      return state.pooledButDown() ? Reason::ThresholdRestores : Reason::Enabled;
    case Event::HealthChanged:
      if (isUp(state.health)) {
        return Reason::ServerUp;
      }
      if (state.pooled) {
        return before.pooled ? Reason::ThresholdKeeps : Reason::ThresholdRestores;
      }
      return Reason::ServerDown;
    case Event::None:
      break;
  }
  if (state.pooled != before.pooled) {
    return state.pooled ? Reason::ThresholdRestores : Reason::ThresholdAllows;
  }
  return Reason::WeightChanged;
}

std::vector<Decision> Pool::finish(const Touched& touched, std::vector<Decision> removed) {
  // `touched` is in ServerId order, so each group is too.
  std::vector<Decision> pooling;
  std::vector<Decision> depooling;
  for (const auto& [entry, was] : touched) {
    const ServerState& state = entry->second;
    const bool reweighted = state.pooled && was.pooled && state.spec.weight != was.weight;
    if (was.event == Event::None && state.pooled == was.pooled && !reweighted) {
      continue;
    }
    Decision decision{entry->first, state.pooled, state.spec.weight, reasonFor(state, was)};
    (decision.pooled ? pooling : depooling).push_back(std::move(decision));
  }

  // Removed servers join the depooling group, still in ServerId order.
  if (!removed.empty()) {
    depooling.insert(depooling.end(), removed.begin(), removed.end());
    std::ranges::sort(depooling, {}, &Decision::server);
  }

  pooling.insert(pooling.end(), depooling.begin(), depooling.end());
  count(pooling);
  return pooling;
}

// Once: every server gets its first decision.
std::vector<Decision> Pool::endStartupNow() {
  starting_ = false;
  Touched ignored;
  for (auto it = servers_.begin(); it != servers_.end(); ++it) {
    settle(ignored, it);
  }
  rebalance(ignored);

  std::vector<Decision> pooling;
  std::vector<Decision> depooling;
  for (const auto& [id, state] : servers_) {
    Reason reason = Reason::StartupDown;
    if (!state.spec.enabled) {
      reason = Reason::Disabled;
    } else if (isUp(state.health)) {
      reason = Reason::StartupUp;
    } else if (state.pooled) {
      reason = Reason::ThresholdKeeps;
    }
    Decision decision{id, state.pooled, state.spec.weight, reason};
    (decision.pooled ? pooling : depooling).push_back(std::move(decision));
  }

  pooling.insert(pooling.end(), depooling.begin(), depooling.end());
  count(pooling);
  return pooling;
}

void Pool::count(const std::vector<Decision>& decisions) {
  for (const auto& decision : decisions) {
    ++counters_.decisions[decision.reason];
    if (decision.reason == Reason::ThresholdKeeps) {
      ++counters_.could_not_depool;
    }
  }
}

}  // namespace vipd::pool
