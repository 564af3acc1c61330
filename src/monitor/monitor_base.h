// MonitorBase: the one implementation of Monitor; a kind plugs in only its probe.
//
// It owns what every kind shares:
// - scheduling: the first check starts after a delay drawn from [0, the shorter of the
//   interval and kFirstCheckSpread) after start(); each later one starts the interval, scaled
//   by a factor drawn from [1 - jitter, 1 + jitter], after the start of the previous one (at
//   once if that check took longer), so that thousands of servers do not fire in one burst;
// - the timeout: a check that overruns it is cancelled and counts as down and as a timeout;
// - rise/fall counting and transitions (HealthState), each reported once to the listener;
// - the last result, the time of the last change of verdict, and the counters;
// - logs: debug for each result, info for each transition.
//
// A continuous probe (idle-connection) is not scheduled: it reports when it learns something,
// and each report is counted and judged like the result of a check.
//
// The listener is called last in every step, so it may stop or even destroy the monitor.
//
// Its configuration is the shared plan, not a copy; a scheduled probe gets one timer, used in
// turn for the running check's deadline and for the start of the next one; a continuous
// probe none.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "monitor/health_state.h"
#include "monitor/monitor.h"
#include "monitor/probe.h"

namespace vipd::monitor {

class MonitorBase final : public Monitor {
 public:
  MonitorBase(boost::asio::io_context& io, std::shared_ptr<const MonitorPlan> plan, Target target,
              Listener listener, std::unique_ptr<Probe> probe);
  MonitorBase(std::shared_ptr<const MonitorPlan> plan, Target target, Listener listener,
              std::unique_ptr<ContinuousProbe> probe);
  ~MonitorBase() override;

  MonitorBase(const MonitorBase&) = delete;
  MonitorBase& operator=(const MonitorBase&) = delete;

  void start() override;
  void stop() override;

  const std::string& name() const override;
  config::MonitorKind kind() const override;
  const Target& target() const override { return target_; }
  Verdict verdict() const override { return state_.verdict(); }
  const ProbeResult& lastResult() const override { return last_; }
  std::chrono::system_clock::time_point lastChange() const override { return last_change_; }
  const Counters& counters() const override { return counters_; }

 private:
  struct Schedule;

  MonitorBase(std::shared_ptr<const MonitorPlan> plan, Target target, Listener listener);

  void scheduleFirst();
  void runCheck();
  void afterCheck(std::uint32_t generation, ProbeResult result);
  void afterTimeout();
  void scheduleNext();
  // Runs a check when the schedule's timer, already set, expires.
  void checkAtExpiry();
  void record(ProbeResult result, bool timed_out);
  void logResult(const ProbeResult& result) const;
  void logTransition(const Transition& transition, const ProbeResult& result) const;

  const config::MonitorConfig& config() const;

  std::shared_ptr<const MonitorPlan> plan_;
  Target target_;
  Listener listener_;
  std::unique_ptr<Probe> probe_;
  std::unique_ptr<ContinuousProbe> continuous_;
  // A scheduled probe's timer. Shared with its handlers as a weak reference, so that a handler
  // already queued when the monitor is destroyed finds it gone instead of touching freed
  // memory.
  std::shared_ptr<Schedule> schedule_;
  HealthState state_;
  ProbeResult last_;
  std::chrono::system_clock::time_point last_change_{};
  Counters counters_;
  // Bumped by stop(): a callback from before carries an older value and is ignored. 32 bits:
  // a callback 2^32 stops old is long gone.
  std::uint32_t generation_ = 0;
  bool running_ = false;
  bool checking_ = false;
  std::chrono::steady_clock::time_point check_started_{};
};

}  // namespace vipd::monitor
