// Pool: which servers of one service are pooled (in IPVS), decided from the server list's
// enabled flags and weights, the monitors' verdicts and PyBal's depool threshold.
//
// The threshold rule. Let total be every server in the list, disabled ones included, and
// required = ceil(threshold x total). The pooled servers never number fewer than required
// while there are enough enabled servers to make it:
//
//   - every server that is up and enabled is pooled;
//   - a down (or, after start-up, unknown) enabled server is depooled only while the pooled
//     servers stay at least `required` without it; otherwise it stays pooled and is
//     reported "pooled but down" (Reason::ThresholdKeeps, counted in could_not_depool);
//   - when the count of up servers grows (a recovery, a server enabled, servers removed),
//     pooled-but-down servers that are no longer needed are depooled (ThresholdAllows);
//   - when it shrinks for any other reason than a failure (a server disabled, servers
//     added, a pooled server removed), down servers are pooled again until the threshold
//     holds (ThresholdRestores).
// With no pooled-but-down server this is PyBal's wording: a failing server may be depooled
// only while the servers that are up and enabled stay at least threshold x total.
//
// Which down servers the threshold keeps: those already pooled first (no churn), then in
// ServerId order (host, then port). The same order picks which pooled-but-down servers go
// first when the threshold allows it (the last in that order go first) and which down
// servers are restored first. Each call is therefore deterministic.
//
// A disabled server is never pooled, whatever the threshold. Its last health is kept; a
// caller that stops its monitors may set it Unknown.
//
// Start-up: while starting(), setServers and setHealth record state and decide nothing.
// Start-up ends when every enabled server of a non-empty list has a verdict (disabled ones
// are never pooled, so none is waited for), or when endStartup() is called because the
// grace period ran out (Unknown then counts as down). The first
// decisions then come out together: StartupUp for the up servers, StartupDown for the down
// ones, ThresholdKeeps for the down ones the threshold needs pooled, Disabled for the
// disabled ones. A server added after start-up starts Unknown and is not pooled until its
// first verdict, unless the threshold needs it (ThresholdRestores).
//
// Decisions: each call returns at most one decision per server, for every server whose
// pooled state or pooled weight changed, and for every server the call was about (added,
// removed, enabled, disabled, or an enabled server whose verdict turned up or down) even
// when its pooled state stays as it was. After start-up, Unknown and Down are alike: a
// change between them is recorded and decides nothing. A call that changes nothing (a
// repeated verdict, the same list again, an unknown server) returns nothing. Decisions that pool
// come before decisions that depool, each group in ServerId order, so that applying them in order
// never takes the pool below the threshold.
//
// "Pooled" is the pool's decision; whether depooling removes the destination or sets its
// weight to 0 is the caller's business.
//
// Cost: a verdict costs O(log N) for N servers, plus O(log N) for each server whose pooled
// state it changes; the counts below are kept as servers change, never recounted. A new
// server list costs O(N log N), end of start-up O(N log N) once.
//
// The pool is pure: no I/O, no clock, no logging. Every call returns the decisions it made,
// each with a typed reason; the caller logs, counts and applies them.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace vipd::pool {

enum class Health : std::uint8_t { Unknown, Up, Down };

std::string_view healthName(Health health);  // "unknown", "up", "down"

// A server is its host and port.
struct ServerId {
  std::string host;
  std::uint16_t port = 0;

  auto operator<=>(const ServerId&) const = default;
  std::string toString() const;  // "host:port"; an IPv6 literal host as "[host]:port"
};

struct ServerSpec {
  ServerId id;
  std::uint32_t weight = 10;
  bool enabled = true;

  bool operator==(const ServerSpec&) const = default;
};

// Why a decision was made; reasonName() gives the stable name used in logs and metrics.
enum class Reason : std::uint8_t {
  StartupUp,          // start-up ended, the server is up
  StartupDown,        // start-up ended, the server is down or still unknown
  ServerUp,           // its monitors say up again
  ServerDown,         // its monitors say down, and the threshold allows depooling it
  ThresholdKeeps,     // down, but depooling it would break the threshold: pooled but down
  ThresholdAllows,    // a pooled-but-down server depooled now that the threshold allows
  ThresholdRestores,  // a down server repooled because the threshold needs it
  Added,              // new in the server list
  Removed,            // gone from the server list
  Enabled,            // enabled in the list or by the operator
  Disabled,           // disabled in the list or by the operator
  WeightChanged,      // a pooled server's weight changed
};

// "startup_up", "startup_down", "server_up", "server_down", "threshold_keeps",
// "threshold_allows", "threshold_restores", "added", "removed", "enabled", "disabled",
// "weight_changed".
std::string_view reasonName(Reason reason);

struct Decision {
  ServerId server;
  bool pooled = false;       // the server's pooled state after this decision
  std::uint32_t weight = 0;  // its weight while pooled
  Reason reason = Reason::Added;

  bool operator==(const Decision&) const = default;
};

struct ServerState {
  ServerSpec spec;
  Health health = Health::Unknown;
  bool pooled = false;

  bool pooledButDown() const { return pooled && health != Health::Up; }
  bool operator==(const ServerState&) const = default;
};

struct PoolCounters {
  std::uint64_t could_not_depool = 0;  // each ThresholdKeeps decision
  std::map<Reason, std::uint64_t> decisions;
};

class Pool {
 public:
  // `depool_threshold` is clamped to [0, 1] (NaN counts as PyBal's default, 0.5).
  Pool(std::string service, double depool_threshold);

  const std::string& service() const { return service_; }
  double depoolThreshold() const { return depool_threshold_; }

  // A new server list (from the source). Servers that stay keep their health; new ones
  // start Unknown (held while starting, otherwise counted down until their first verdict).
  // A host and port listed twice: the last entry counts.
  std::vector<Decision> setServers(const std::vector<ServerSpec>& servers);

  // A server's monitors changed their combined verdict. A server not in the list is
  // ignored.
  std::vector<Decision> setHealth(const ServerId& server, Health health);

  // A new threshold (a configuration reload): down servers are depooled (ThresholdAllows)
  // or pooled (ThresholdRestores) as it allows or needs. Decides nothing while starting.
  std::vector<Decision> setDepoolThreshold(double depool_threshold);

  // Ends start-up at once (the grace period ran out); Unknown servers count as down.
  // Does nothing once start-up has ended.
  std::vector<Decision> endStartup();
  bool starting() const { return starting_; }

  const std::map<ServerId, ServerState>& servers() const { return servers_; }
  const PoolCounters& counters() const { return counters_; }

  // Counts kept as the servers change: each is O(1).
  std::size_t total() const { return servers_.size(); }
  std::size_t enabledCount() const { return enabled_; }
  std::size_t upAndEnabled() const { return up_enabled_; }
  std::size_t pooledCount() const { return pooled_; }
  std::size_t pooledButDownCount() const { return pooled_down_.size(); }
  // ceil(threshold x total): the fewest servers the threshold wants pooled.
  std::size_t requiredPooled() const;
  // Whether one more up-and-enabled server could be depooled now, were it to fail.
  bool canDepool() const;

 private:
  using Servers = std::map<ServerId, ServerState>;
  using Entry = Servers::iterator;
  struct ById {
    bool operator()(const Entry& a, const Entry& b) const { return a->first < b->first; }
  };
  using EntrySet = std::set<Entry, ById>;

  // What a call did to one server, to pick the reason of its decision.
  enum class Event : std::uint8_t { None, Added, Enabled, Disabled, HealthChanged };
  struct Before {
    bool existed = false;
    bool pooled = false;
    std::uint32_t weight = 0;
    Event event = Event::None;
  };
  // The servers one call touched, with their state before it: only these can have a decision.
  using Touched = std::map<Entry, Before, ById>;

  void touch(Touched& touched, Entry entry, Event event = Event::None) const;
  // Every change of a server's spec, health or pooled flag goes between these two, so that
  // the counts and the sets below stay those of the servers.
  void unindex(Entry entry);
  void index(Entry entry);
  // After start-up: an up and enabled server is pooled, a disabled one never is.
  void settle(Touched& touched, Entry entry);
  void setPooled(Touched& touched, Entry entry, bool pooled);

  std::vector<Decision> finish(const Touched& touched, std::vector<Decision> removed);
  std::vector<Decision> endStartupNow();
  bool allHaveVerdicts() const;
  // Pools or depools down servers until the threshold rule holds, visiting only those.
  void rebalance(Touched& touched);
  Reason reasonFor(const ServerState& state, const Before& before) const;
  void count(const std::vector<Decision>& decisions);

  std::string service_;
  double depool_threshold_;
  bool starting_ = true;
  Servers servers_;
  PoolCounters counters_;

  std::size_t enabled_ = 0;
  std::size_t up_enabled_ = 0;
  std::size_t unknown_enabled_ = 0;  // enabled and still without a verdict
  std::size_t pooled_ = 0;
  // Enabled servers that are not up, pooled (pooled but down) or not: the only ones the
  // threshold ever moves, in ServerId order.
  EntrySet pooled_down_;
  EntrySet idle_down_;
};

}  // namespace vipd::pool
