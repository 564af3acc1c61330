#include "monitor/monitor_base.h"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <utility>

#include "common/log.h"
#include "monitor/monitor_plan.h"
#include "monitor/net_util.h"
#include "monitor/random.h"

namespace vipd::monitor {

namespace {

spdlog::logger& logger() {
  static const auto instance = log::get("monitor");
  return *instance;
}

double toMilliseconds(std::chrono::nanoseconds duration) {
  return std::chrono::duration<double, std::milli>(duration).count();
}

}  // namespace

struct MonitorBase::Schedule {
  Schedule(boost::asio::io_context& io, MonitorBase& owner_in) : timer(io), owner(&owner_in) {}

  // The deadline of the running check, else the start of the next one.
  SteadyTimer timer;
  MonitorBase* owner;
};

MonitorBase::MonitorBase(std::shared_ptr<const MonitorPlan> plan, Target target, Listener listener)
    : plan_(std::move(plan)),
      target_(target),
      listener_(std::move(listener)),
      state_(plan_->config.rise, plan_->config.fall) {}

MonitorBase::MonitorBase(boost::asio::io_context& io, std::shared_ptr<const MonitorPlan> plan,
                         Target target, Listener listener, std::unique_ptr<Probe> probe)
    : MonitorBase(std::move(plan), target, std::move(listener)) {
  probe_ = std::move(probe);
  schedule_ = std::make_shared<Schedule>(io, *this);
}

MonitorBase::MonitorBase(std::shared_ptr<const MonitorPlan> plan, Target target, Listener listener,
                         std::unique_ptr<ContinuousProbe> probe)
    : MonitorBase(std::move(plan), target, std::move(listener)) {
  continuous_ = std::move(probe);
}

MonitorBase::~MonitorBase() {
  stop();
}

void MonitorBase::start() {
  if (running_) {
    return;
  }
  running_ = true;

  if (continuous_) {
    const std::uint32_t generation = generation_;
    continuous_->start([this, generation](ProbeResult result, bool timed_out) {
      if (generation == generation_ && running_) {
        record(std::move(result), timed_out);
      }
    });
    return;
  }
  scheduleFirst();
}

void MonitorBase::stop() {
  if (!running_) {
    return;
  }
  running_ = false;
  checking_ = false;
  ++generation_;

  if (schedule_) {
    schedule_->timer.cancel();
  }
  if (probe_) {
    probe_->cancel();
  }
  if (continuous_) {
    continuous_->stop();
  }
}

void MonitorBase::scheduleFirst() {
  // A random phase: the servers of a service start together, their first checks should not.
  const auto delay =
      firstCheckDelay(toNanoseconds(config().interval), kFirstCheckSpread, randomUnit());
  schedule_->timer.expires_after(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(delay));
  checkAtExpiry();
}

void MonitorBase::runCheck() {
  checking_ = true;
  check_started_ = std::chrono::steady_clock::now();

  const std::uint32_t generation = generation_;
  schedule_->timer.expires_after(toNanoseconds(config().timeout));
  schedule_->timer.async_wait([weak = std::weak_ptr<Schedule>(schedule_),
                               generation](const boost::system::error_code& error) {
    const auto schedule = weak.lock();
    if (error || !schedule || schedule->owner->generation_ != generation) {
      return;
    }
    schedule->owner->afterTimeout();
  });

  probe_->start(
      [this, generation](ProbeResult result) { afterCheck(generation, std::move(result)); });
}

void MonitorBase::afterCheck(std::uint32_t generation, ProbeResult result) {
  // A result that races the timeout loses: the timeout already cancelled the probe.
  if (generation != generation_ || !checking_) {
    return;
  }
  checking_ = false;

  result.latency = std::chrono::steady_clock::now() - check_started_;
  scheduleNext();
  record(std::move(result), false);
}

void MonitorBase::afterTimeout() {
  if (!checking_) {
    return;
  }
  checking_ = false;
  probe_->cancel();

  ProbeResult result;
  result.up = false;
  result.message = fmt::format("timeout: no result within {}ms",
                               toMilliseconds(toNanoseconds(config().timeout)));
  result.latency = std::chrono::steady_clock::now() - check_started_;
  scheduleNext();
  record(std::move(result), true);
}

void MonitorBase::scheduleNext() {
  // The interval runs from the start of one check to the start of the next; a check that
  // took longer is followed at once. Moving the expiry also cancels the deadline's wait.
  const auto delay =
      jitteredInterval(toNanoseconds(config().interval), config().jitter, randomUnit());
  schedule_->timer.expires_at(
      check_started_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(delay));
  checkAtExpiry();
}

void MonitorBase::checkAtExpiry() {
  const std::uint32_t generation = generation_;
  schedule_->timer.async_wait([weak = std::weak_ptr<Schedule>(schedule_),
                               generation](const boost::system::error_code& error) {
    const auto schedule = weak.lock();
    if (error || !schedule || schedule->owner->generation_ != generation) {
      return;
    }
    schedule->owner->runCheck();
  });
}

const config::MonitorConfig& MonitorBase::config() const {
  return plan_->config;
}

const std::string& MonitorBase::name() const {
  return plan_->config.name;
}

config::MonitorKind MonitorBase::kind() const {
  return plan_->config.kind;
}

void DurationHistogram::add(std::chrono::nanoseconds duration) {
  const double seconds = std::chrono::duration<double>(duration).count();
  sum_seconds += seconds;
  for (std::size_t i = 0; i < kDurationBounds.size(); ++i) {
    if (seconds <= kDurationBounds.at(i)) {
      ++counts.at(i);
      return;
    }
  }
}

void MonitorBase::record(ProbeResult result, bool timed_out) {
  ++counters_.checks;
  counters_.durations.add(result.latency);
  ++(result.up ? counters_.up_results : counters_.down_results);
  if (timed_out) {
    ++counters_.timeouts;
  }
  logResult(result);

  last_ = std::move(result);
  const auto transition = state_.record(last_.up);
  if (!transition) {
    return;
  }

  ++(transition->to == Verdict::Up ? counters_.up_transitions : counters_.down_transitions);
  last_change_ = std::chrono::system_clock::now();
  logTransition(*transition, last_);

  // Last: the listener may stop or destroy this monitor.
  if (listener_) {
    listener_(*this, transition->from, transition->to);
  }
}

void MonitorBase::logResult(const ProbeResult& result) const {
  logger().debug(
      "probe result service={} server={} monitor={} up={} latency_ms={:.3f} message=\"{}\"",
      target_.service, target_.host, name(), result.up, toMilliseconds(result.latency),
      result.message);
}

void MonitorBase::logTransition(const Transition& transition, const ProbeResult& result) const {
  logger().info("monitor {} service={} server={} monitor={} from={} reason=\"{}\"",
                verdictName(transition.to), target_.service, target_.host, name(),
                verdictName(transition.from), result.message);
}

}  // namespace vipd::monitor
