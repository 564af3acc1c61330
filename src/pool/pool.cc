#include "pool/pool.h"

#include <algorithm>
#include <cmath>

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
  Snapshot before = snapshot();

  std::map<ServerId, ServerSpec> listed;
  for (const auto& spec : servers) {
    listed.insert_or_assign(spec.id, spec);
  }

  // Gone from the list.
  std::vector<Decision> removed;
  for (auto it = servers_.begin(); it != servers_.end();) {
    if (listed.contains(it->first)) {
      ++it;
      continue;
    }
    removed.push_back({it->first, false, it->second.spec.weight, Reason::Removed});
    before.erase(it->first);
    it = servers_.erase(it);
  }

  // New, re-enabled, disabled, reweighted.
  for (const auto& [id, spec] : listed) {
    auto [it, inserted] = servers_.try_emplace(id, ServerState{spec, Health::Unknown, false});
    if (inserted) {
      before[id] = Before{.event = Event::Added};
      continue;
    }
    if (it->second.spec.enabled != spec.enabled) {
      before[id].event = spec.enabled ? Event::Enabled : Event::Disabled;
    }
    it->second.spec = spec;
  }

  if (starting_) {
    return allHaveVerdicts() ? endStartupNow() : std::vector<Decision>{};
  }
  rebalance();
  return finish(before, std::move(removed));
}

std::vector<Decision> Pool::setHealth(const ServerId& server, Health health) {
  const auto it = servers_.find(server);
  if (it == servers_.end() || it->second.health == health) {
    return {};
  }

  if (starting_) {
    it->second.health = health;
    return allHaveVerdicts() ? endStartupNow() : std::vector<Decision>{};
  }

  // After start-up Unknown counts as down: only a change of up-ness decides anything.
  const bool flipped = isUp(it->second.health) != isUp(health);
  it->second.health = health;
  if (!flipped) {
    return {};
  }

  Snapshot before = snapshot();
  if (it->second.spec.enabled) {
    before[server].event = Event::HealthChanged;
  }
  rebalance();
  return finish(before, {});
}

std::vector<Decision> Pool::endStartup() {
  if (!starting_) {
    return {};
  }
  return endStartupNow();
}

std::size_t Pool::enabledCount() const {
  return static_cast<std::size_t>(
      std::ranges::count_if(servers_, [](const auto& entry) { return entry.second.spec.enabled; }));
}

std::size_t Pool::upAndEnabled() const {
  return static_cast<std::size_t>(std::ranges::count_if(servers_, [](const auto& entry) {
    return entry.second.spec.enabled && isUp(entry.second.health);
  }));
}

std::size_t Pool::pooledCount() const {
  return static_cast<std::size_t>(
      std::ranges::count_if(servers_, [](const auto& entry) { return entry.second.pooled; }));
}

std::size_t Pool::pooledButDownCount() const {
  return static_cast<std::size_t>(std::ranges::count_if(
      servers_, [](const auto& entry) { return entry.second.pooledButDown(); }));
}

std::size_t Pool::requiredPooled() const {
  const double wanted = depool_threshold_ * static_cast<double>(servers_.size());
  return static_cast<std::size_t>(std::max(0.0, std::ceil(wanted - kEpsilon)));
}

bool Pool::canDepool() const {
  return upAndEnabled() > requiredPooled();
}

Pool::Snapshot Pool::snapshot() const {
  Snapshot before;
  for (const auto& [id, state] : servers_) {
    before[id] = Before{true, state.pooled, state.spec.weight, Event::None};
  }
  return before;
}

bool Pool::allHaveVerdicts() const {
  return !servers_.empty() && std::ranges::none_of(servers_, [](const auto& entry) {
    return entry.second.spec.enabled && entry.second.health == Health::Unknown;
  });
}

void Pool::rebalance() {
  // Up and enabled servers are pooled; disabled ones never are.
  std::size_t up_enabled = 0;
  std::vector<ServerState*> candidates;
  for (auto& [id, state] : servers_) {
    if (!state.spec.enabled) {
      state.pooled = false;
    } else if (isUp(state.health)) {
      state.pooled = true;
      ++up_enabled;
    } else {
      candidates.push_back(&state);
    }
  }

  // The shortfall is filled with down servers: those already pooled first (candidates are
  // in ServerId order, and the partition keeps that order within each group).
  std::ranges::stable_partition(candidates, [](const ServerState* state) { return state->pooled; });
  const std::size_t required = requiredPooled();
  const std::size_t needed = required > up_enabled ? required - up_enabled : 0;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    candidates[i]->pooled = i < needed;
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

std::vector<Decision> Pool::finish(const Snapshot& before, std::vector<Decision> removed) {
  std::vector<Decision> pooling;
  std::vector<Decision> depooling;
  for (const auto& [id, state] : servers_) {
    const Before& was = before.at(id);
    const bool reweighted = state.pooled && was.pooled && state.spec.weight != was.weight;
    if (was.event == Event::None && state.pooled == was.pooled && !reweighted) {
      continue;
    }
    Decision decision{id, state.pooled, state.spec.weight, reasonFor(state, was)};
    (decision.pooled ? pooling : depooling).push_back(std::move(decision));
  }

  // Removed servers join the depooling group, still in ServerId order.
  depooling.insert(depooling.end(), removed.begin(), removed.end());
  std::ranges::sort(depooling, {}, &Decision::server);

  pooling.insert(pooling.end(), depooling.begin(), depooling.end());
  count(pooling);
  return pooling;
}

std::vector<Decision> Pool::endStartupNow() {
  starting_ = false;
  rebalance();

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
