// The pool keeps its counts and its down servers incrementally. These tests drive it with
// long random sequences of calls (a fixed seed, so that a failure repeats) and check each
// result against a brute-force model that recomputes everything from the whole list on
// every call, as the rule in pool.h states it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "pool/pool.h"

namespace vipd::pool {

void PrintTo(const Decision& decision, std::ostream* out);  // pool_test.cc

namespace {

// The threshold rule by brute force: every call re-decides every server from scratch and
// diffs the whole pool before and after.
class BruteForcePool {
 public:
  explicit BruteForcePool(double threshold) : threshold_(threshold) {}

  std::vector<Decision> setServers(const std::vector<ServerSpec>& list) {
    std::map<ServerId, ServerSpec> listed;
    for (const auto& spec : list) {
      listed.insert_or_assign(spec.id, spec);
    }
    auto before = snapshot();
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
    for (const auto& [id, spec] : listed) {
      auto [it, inserted] = servers_.try_emplace(id, ServerState{spec, Health::Unknown, false});
      if (inserted) {
        before[id] = Was{false, 0, Event::Added};
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
    return diff(before, removed);
  }

  std::vector<Decision> setHealth(const ServerId& id, Health health) {
    const auto it = servers_.find(id);
    if (it == servers_.end() || it->second.health == health) {
      return {};
    }
    const bool flipped = (it->second.health == Health::Up) != (health == Health::Up);
    it->second.health = health;
    if (starting_) {
      return allHaveVerdicts() ? endStartupNow() : std::vector<Decision>{};
    }
    if (!flipped) {
      return {};
    }
    auto before = snapshot();
    if (it->second.spec.enabled) {
      before[id].event = Event::HealthChanged;
    }
    rebalance();
    return diff(before, {});
  }

  std::vector<Decision> endStartup() {
    return starting_ ? endStartupNow() : std::vector<Decision>{};
  }

  const std::map<ServerId, ServerState>& servers() const { return servers_; }

 private:
  enum class Event { None, Added, Enabled, Disabled, HealthChanged };
  struct Was {
    bool pooled = false;
    std::uint32_t weight = 0;
    Event event = Event::None;
  };

  std::map<ServerId, Was> snapshot() const {
    std::map<ServerId, Was> out;
    for (const auto& [id, state] : servers_) {
      out[id] = Was{state.pooled, state.spec.weight, Event::None};
    }
    return out;
  }

  bool allHaveVerdicts() const {
    return !servers_.empty() && std::ranges::none_of(servers_, [](const auto& entry) {
      return entry.second.spec.enabled && entry.second.health == Health::Unknown;
    });
  }

  std::size_t required() const {
    const double wanted = threshold_ * static_cast<double>(servers_.size());
    return static_cast<std::size_t>(std::max(0.0, std::ceil(wanted - 1e-9)));
  }

  void rebalance() {
    std::size_t up = 0;
    std::vector<ServerState*> was_pooled;
    std::vector<ServerState*> was_not;
    for (auto& [id, state] : servers_) {
      if (!state.spec.enabled) {
        state.pooled = false;
      } else if (state.health == Health::Up) {
        state.pooled = true;
        ++up;
      } else {
        (state.pooled ? was_pooled : was_not).push_back(&state);
      }
    }
    std::size_t needed = required() > up ? required() - up : 0;
    for (auto* group : {&was_pooled, &was_not}) {
      for (auto* state : *group) {
        state->pooled = needed > 0;
        needed -= needed > 0 ? 1 : 0;
      }
    }
  }

  Reason reasonFor(const ServerState& state, const Was& was) const {
    switch (was.event) {
      case Event::Added:
        return state.pooled ? Reason::ThresholdRestores : Reason::Added;
      case Event::Disabled:
        return Reason::Disabled;
      case Event::Enabled:
        return state.pooledButDown() ? Reason::ThresholdRestores : Reason::Enabled;
      case Event::HealthChanged:
        if (state.health == Health::Up) {
          return Reason::ServerUp;
        }
        if (state.pooled) {
          return was.pooled ? Reason::ThresholdKeeps : Reason::ThresholdRestores;
        }
        return Reason::ServerDown;
      case Event::None:
        break;
    }
    if (state.pooled != was.pooled) {
      return state.pooled ? Reason::ThresholdRestores : Reason::ThresholdAllows;
    }
    return Reason::WeightChanged;
  }

  std::vector<Decision> diff(const std::map<ServerId, Was>& before,
                             const std::vector<Decision>& removed) const {
    std::vector<Decision> pooling;
    std::vector<Decision> depooling = removed;
    for (const auto& [id, state] : servers_) {
      const Was& was = before.at(id);
      const bool reweighted = state.pooled && was.pooled && state.spec.weight != was.weight;
      if (was.event == Event::None && state.pooled == was.pooled && !reweighted) {
        continue;
      }
      Decision decision{id, state.pooled, state.spec.weight, reasonFor(state, was)};
      (decision.pooled ? pooling : depooling).push_back(decision);
    }
    std::ranges::sort(depooling, {}, &Decision::server);
    pooling.insert(pooling.end(), depooling.begin(), depooling.end());
    return pooling;
  }

  std::vector<Decision> endStartupNow() {
    starting_ = false;
    rebalance();
    std::vector<Decision> pooling;
    std::vector<Decision> depooling;
    for (const auto& [id, state] : servers_) {
      Reason reason = Reason::StartupDown;
      if (!state.spec.enabled) {
        reason = Reason::Disabled;
      } else if (state.health == Health::Up) {
        reason = Reason::StartupUp;
      } else if (state.pooled) {
        reason = Reason::ThresholdKeeps;
      }
      Decision decision{id, state.pooled, state.spec.weight, reason};
      (decision.pooled ? pooling : depooling).push_back(decision);
    }
    pooling.insert(pooling.end(), depooling.begin(), depooling.end());
    return pooling;
  }

  double threshold_;
  bool starting_ = true;
  std::map<ServerId, ServerState> servers_;
};

// The counts the pool keeps, recounted from its servers.
void expectCountsMatchARecount(const Pool& pool) {
  std::size_t enabled = 0;
  std::size_t up = 0;
  std::size_t pooled = 0;
  std::size_t pooled_but_down = 0;
  for (const auto& [id, state] : pool.servers()) {
    enabled += state.spec.enabled ? 1u : 0u;
    up += state.spec.enabled && state.health == Health::Up ? 1u : 0u;
    pooled += state.pooled ? 1u : 0u;
    pooled_but_down += state.pooledButDown() ? 1u : 0u;
  }
  EXPECT_EQ(pool.total(), pool.servers().size());
  EXPECT_EQ(pool.enabledCount(), enabled);
  EXPECT_EQ(pool.upAndEnabled(), up);
  EXPECT_EQ(pool.pooledCount(), pooled);
  EXPECT_EQ(pool.pooledButDownCount(), pooled_but_down);
  EXPECT_EQ(pool.canDepool(), up > pool.requiredPooled());
}

class RandomCalls {
 public:
  explicit RandomCalls(std::uint32_t seed) : random_(seed) {}

  ServerId server() { return {"s" + std::to_string(pick(0, kHosts - 1)), 80}; }

  Health health() {
    constexpr Health kVerdicts[] = {Health::Up, Health::Down, Health::Unknown};
    return kVerdicts[pick(0, 2)];
  }

  // A list of a random subset of the hosts, some disabled, weights 0 to 3, with a
  // duplicate now and then.
  std::vector<ServerSpec> list() {
    std::vector<ServerSpec> out;
    for (int host = 0; host < kHosts; ++host) {
      if (pick(0, 9) < 7) {
        out.push_back({{"s" + std::to_string(host), 80},
                       static_cast<std::uint32_t>(pick(0, 3)),
                       pick(0, 4) != 0});
      }
    }
    if (!out.empty() && pick(0, 4) == 0) {
      auto again = out.front();
      again.weight += 1;
      out.push_back(again);
    }
    std::ranges::shuffle(out, random_);
    return out;
  }

  int pick(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }

 private:
  static constexpr int kHosts = 12;
  std::mt19937 random_;
};

TEST(PoolProperty, DecisionsAndCountsMatchABruteForceRecountUnderRandomCalls) {
  constexpr std::size_t kRuns = 100;
  constexpr int kCallsPerRun = 150;
  const double thresholds[] = {0.0, 0.25, 0.5, 0.7, 1.0};
  RandomCalls random(20261203);

  for (std::size_t run = 0; run < kRuns; ++run) {
    const double threshold = thresholds[run % std::size(thresholds)];
    Pool pool("web", threshold);
    BruteForcePool model(threshold);
    for (int call = 0; call < kCallsPerRun; ++call) {
      SCOPED_TRACE("run " + std::to_string(run) + " call " + std::to_string(call));
      const int kind = random.pick(0, 19);
      if (kind < 3) {
        const auto list = random.list();
        ASSERT_EQ(pool.setServers(list), model.setServers(list));
      } else if (kind < 4) {
        ASSERT_EQ(pool.endStartup(), model.endStartup());
      } else {
        const auto id = random.server();
        const auto health = random.health();
        ASSERT_EQ(pool.setHealth(id, health), model.setHealth(id, health));
      }
      ASSERT_EQ(pool.servers(), model.servers());
      expectCountsMatchARecount(pool);
    }
  }
}

}  // namespace
}  // namespace vipd::pool
