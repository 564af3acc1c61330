// Monitor: one health check of one server. The base owns everything the kinds share:
// scheduling (interval with jitter), the timeout, rise/fall counting, transitions, the
// last result and counters. A kind only runs its probe (see probe.h).
//
// A monitor starts Unknown. A scheduled monitor's first check starts at a random point of
// the first kFirstCheckSpread after start() (of the first interval, if that is shorter), so
// that the servers of a service, all started at once, do not all connect at the same instant;
// a continuous one (idle-connection) connects at once. The first verdict, and every later
// change of verdict, is reported to the listener exactly once.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/ip_address.h"
#include "config/model.h"

namespace boost::asio {
class io_context;
}

namespace vipd::monitor {

enum class Verdict : std::uint8_t { Unknown, Up, Down };

// How long after start() a scheduled monitor's first check may wait, at most: one second
// spreads the first checks of N servers to N a second (each check's sockets and buffers are
// then alive for a fraction of that second, not all at once), and delays a first verdict by
// at most one second.
inline constexpr std::chrono::seconds kFirstCheckSpread{1};

std::string_view verdictName(Verdict verdict);

// What a monitor checks: the server's name (for logs and commands), the address it resolved
// to, and the port (the service's unless the server gives one). The names are views: their
// owner (vipd: the service and its map of servers) keeps them alive and unchanged as long as
// the monitor exists, so that a monitor holds no copy of either.
struct Target {
  std::string_view service;
  std::string_view host;
  IpAddress address;
  std::uint16_t port = 0;
};

// The outcome of one probe. `message` says what happened in words an operator can act on,
// e.g. "connect: connection refused" or "http: status 500, expected 200".
struct ProbeResult {
  bool up = false;
  std::string message;
  std::chrono::nanoseconds latency{0};
};

// Check durations for /metrics: a count per upper bound of kDurationBounds (seconds, as
// Prometheus's default buckets), each check counted in the first bucket it fits (a check
// longer than the last bound only in Counters::checks), and the sum of every duration.
inline constexpr std::array<double, 11> kDurationBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                           0.5,   1.0,  2.5,   5.0,  10.0};
struct DurationHistogram {
  std::array<std::uint32_t, kDurationBounds.size()> counts{};
  double sum_seconds = 0;

  void add(std::chrono::nanoseconds duration);
};

// 32 bits each, kept for every server: they wrap after 2^32 checks, 136 years at one check a
// second (Prometheus takes a wrap for a counter reset).
struct Counters {
  DurationHistogram durations;
  std::uint32_t checks = 0;
  std::uint32_t up_results = 0;
  std::uint32_t down_results = 0;
  std::uint32_t timeouts = 0;
  std::uint32_t up_transitions = 0;
  std::uint32_t down_transitions = 0;
};

class Monitor {
 public:
  // Called on every change of verdict, the first one (from Unknown) included.
  using Listener = std::function<void(Monitor&, Verdict from, Verdict to)>;

  virtual ~Monitor() = default;

  virtual void start() = 0;
  // Cancels the pending check and timers; no listener call after stop() returns.
  virtual void stop() = 0;

  virtual const std::string& name() const = 0;
  virtual config::MonitorKind kind() const = 0;
  virtual const Target& target() const = 0;
  virtual Verdict verdict() const = 0;
  virtual const ProbeResult& lastResult() const = 0;
  virtual std::chrono::system_clock::time_point lastChange() const = 0;
  virtual const Counters& counters() const = 0;
};

// What every monitor built from one configured monitor shares, read-only (monitor_plan.h):
// the configuration and what a kind derives from it once. A service plans each of its
// monitors once and hands the plan to every server's monitor, so that a server costs no copy.
struct MonitorPlan;
std::shared_ptr<const MonitorPlan> planMonitor(const config::MonitorConfig& config);

// Builds the monitor of a planned kind, not yet started.
std::unique_ptr<Monitor> makeMonitor(boost::asio::io_context& io,
                                     std::shared_ptr<const MonitorPlan> plan, Target target,
                                     Monitor::Listener listener);
// The same for a single monitor, planned on the spot.
std::unique_ptr<Monitor> makeMonitor(boost::asio::io_context& io,
                                     const config::MonitorConfig& config, Target target,
                                     Monitor::Listener listener);

}  // namespace vipd::monitor
