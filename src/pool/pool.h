// Pool: which servers of one service are pooled (in IPVS), decided from the server list's
// enabled flags and weights, the monitors' verdicts and PyBal's depool threshold:
//
//   a server may be depooled only while the servers that are up and enabled stay at least
//   threshold x all servers (disabled ones counted in "all"); past that, a failing server
//   stays pooled and is reported "pooled but down". When a server recovers, pooled-but-down
//   servers are depooled again, one at a time, while the threshold allows.
//
// A disabled server is never pooled, whatever the threshold. A server whose health is still
// Unknown is held: the pool makes no decision for the service until start-up ends (every
// server has a verdict, or endStartup() is called when the start-up grace runs out, after
// which Unknown counts as down).
//
// The pool is pure: no I/O, no clock, no logging. Every call returns the decisions it made,
// each with a typed reason; the caller logs, counts and applies them.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace vipd::pool {

enum class Health : std::uint8_t { Unknown, Up, Down };

// A server is its host and port.
struct ServerId {
  std::string host;
  std::uint16_t port = 0;

  auto operator<=>(const ServerId&) const = default;
  std::string toString() const;  // "host:port"
};

struct ServerSpec {
  ServerId id;
  std::uint32_t weight = 10;
  bool enabled = true;

  bool operator==(const ServerSpec&) const = default;
};

// Why a decision was made; name() gives the stable name used in logs and metrics.
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

std::string_view reasonName(Reason reason);

struct Decision {
  ServerId server;
  bool pooled = false;       // the server's pooled state after this decision
  std::uint32_t weight = 0;  // its weight while pooled
  Reason reason = Reason::Added;
};

struct ServerState {
  ServerSpec spec;
  Health health = Health::Unknown;
  bool pooled = false;

  bool pooledButDown() const { return pooled && health != Health::Up; }
};

struct PoolCounters {
  std::uint64_t could_not_depool = 0;  // each ThresholdKeeps decision
  std::map<Reason, std::uint64_t> decisions;
};

class Pool {
 public:
  Pool(std::string service, double depool_threshold);

  const std::string& service() const { return service_; }
  double depoolThreshold() const { return depool_threshold_; }

  // A new server list (from the source). Servers that stay keep their health; new ones
  // start Unknown (held while starting, otherwise counted down until their first verdict).
  std::vector<Decision> setServers(const std::vector<ServerSpec>& servers);

  // A server's monitors changed their combined verdict.
  std::vector<Decision> setHealth(const ServerId& server, Health health);

  // Ends start-up at once (the grace period ran out); Unknown servers count as down.
  std::vector<Decision> endStartup();
  bool starting() const { return starting_; }

  const std::map<ServerId, ServerState>& servers() const { return servers_; }
  const PoolCounters& counters() const { return counters_; }

  std::size_t total() const { return servers_.size(); }
  std::size_t enabledCount() const;
  std::size_t upAndEnabled() const;
  std::size_t pooledCount() const;
  std::size_t pooledButDownCount() const;
  // Whether one more up-and-enabled server could be depooled now.
  bool canDepool() const;

 private:
  // (private helpers are the implementation's)
  std::vector<Decision> rebalance(std::vector<Decision> decisions);
  bool thresholdAllowsDepooling(std::size_t up_enabled_after) const;
  void record(std::vector<Decision>& out, ServerState& state, bool pooled, Reason reason);

  std::string service_;
  double depool_threshold_;
  bool starting_ = true;
  std::map<ServerId, ServerState> servers_;
  PoolCounters counters_;
};

}  // namespace vipd::pool
