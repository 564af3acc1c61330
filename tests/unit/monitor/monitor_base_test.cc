#include "monitor/monitor_base.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <deque>

#include "test_servers.h"

namespace vipd::monitor {
namespace {

using testing::runUntil;

// Answers each check with the next scripted result (posted, never from within start()); with
// no script left, it never answers, so the base's timeout must end the check.
class ScriptedProbe final : public Probe {
 public:
  ScriptedProbe(boost::asio::io_context& io, std::deque<bool> script)
      : io_(io), script_(std::move(script)) {}

  void start(Done done) override {
    ++starts;
    if (script_.empty()) {
      pending_ = std::move(done);
      return;
    }
    const bool up = script_.front();
    script_.pop_front();
    boost::asio::post(io_, [this, done = std::move(done), up, run = ++run_] {
      if (run == run_) {
        done(ProbeResult{up, up ? "fine" : "broken", {}});
      }
    });
  }

  void cancel() override {
    ++cancels;
    ++run_;
    pending_ = nullptr;
  }

  // Answers a check left pending, as a late probe would.
  void answerLate() {
    if (pending_) {
      auto done = std::move(pending_);
      pending_ = nullptr;
      done(ProbeResult{true, "late", {}});
    }
  }

  int starts = 0;
  int cancels = 0;

 private:
  boost::asio::io_context& io_;
  std::deque<bool> script_;
  Done pending_;
  int run_ = 0;
};

class ManualContinuousProbe final : public ContinuousProbe {
 public:
  void start(Report report) override { report_ = std::move(report); }
  void stop() override {
    ++stops;
    report_ = nullptr;
  }
  void send(bool up, bool timed_out = false) {
    if (report_) {
      report_(ProbeResult{up, up ? "connected" : "lost", {}}, timed_out);
    }
  }
  int stops = 0;

 private:
  Report report_;
};

config::MonitorConfig fastConfig(std::uint32_t rise = 1, std::uint32_t fall = 1) {
  config::MonitorConfig config;
  config.name = "scripted";
  config.params = config::TcpParams{};  // the kind's (Tcp), as planMonitor requires
  config.interval = std::chrono::milliseconds(1);
  config.timeout = std::chrono::milliseconds(30);
  config.jitter = 0.5;
  config.rise = rise;
  config.fall = fall;
  return config;
}

struct Harness {
  Harness(std::deque<bool> script, config::MonitorConfig config = fastConfig()) {
    auto owned = std::make_unique<ScriptedProbe>(io, std::move(script));
    probe = owned.get();
    monitor = std::make_unique<MonitorBase>(
        io, planMonitor(config), Target{"svc", "host1", *IpAddress::parse("192.0.2.1"), 80},
        [this](Monitor&, Verdict from, Verdict to) {
          changes.push_back({from, to});
        },
        std::move(owned));
  }

  boost::asio::io_context io;
  ScriptedProbe* probe;
  std::unique_ptr<MonitorBase> monitor;
  std::vector<Transition> changes;
};

TEST(MonitorBase, FirstCheckStartsFromTheLoopAfterStart) {
  Harness h({true});
  EXPECT_EQ(h.monitor->verdict(), Verdict::Unknown);
  h.monitor->start();
  // Its random phase is waited for on the loop, even when the draw is 0.
  EXPECT_EQ(h.probe->starts, 0);
  EXPECT_TRUE(h.changes.empty());

  ASSERT_TRUE(runUntil(h.io, [&] { return !h.changes.empty(); }));
  EXPECT_EQ(h.changes[0].from, Verdict::Unknown);
  EXPECT_EQ(h.changes[0].to, Verdict::Up);
  EXPECT_EQ(h.monitor->lastResult().message, "fine");
  EXPECT_NE(h.monitor->lastChange(), std::chrono::system_clock::time_point{});
}

TEST(MonitorBase, StopBeforeTheFirstCheckCancelsIt) {
  auto config = fastConfig();
  config.interval = std::chrono::seconds(60);  // the phase is drawn from the first second
  Harness h({true}, config);
  h.monitor->start();
  h.monitor->stop();
  h.io.run();
  EXPECT_EQ(h.probe->starts, 0);
  EXPECT_TRUE(h.changes.empty());
}

TEST(DurationHistogram, CountsEachDurationInTheFirstBucketItFits) {
  using std::chrono::milliseconds;
  struct Vector {
    std::chrono::nanoseconds duration;
    std::size_t bucket;  // kDurationBounds.size(): beyond the last bound
  };
  const std::vector<Vector> vectors = {{milliseconds(0), 0},      {milliseconds(5), 0},
                                       {milliseconds(6), 1},      {milliseconds(100), 4},
                                       {milliseconds(10000), 10}, {milliseconds(10001), 11}};
  for (const auto& v : vectors) {
    DurationHistogram histogram;
    histogram.add(v.duration);
    for (std::size_t i = 0; i < kDurationBounds.size(); ++i) {
      EXPECT_EQ(histogram.counts.at(i), i == v.bucket ? 1U : 0U) << v.duration.count() << " " << i;
    }
    EXPECT_DOUBLE_EQ(histogram.sum_seconds, std::chrono::duration<double>(v.duration).count());
  }
}

TEST(MonitorBase, CountsResultsAndReportsEachTransitionOnce) {
  Harness h({true, true, false, false, true});
  h.monitor->start();
  ASSERT_TRUE(runUntil(h.io, [&] { return h.monitor->counters().checks == 5; }));

  const Counters& counters = h.monitor->counters();
  EXPECT_EQ(counters.up_results, 3U);
  EXPECT_EQ(counters.down_results, 2U);
  EXPECT_EQ(counters.up_transitions, 2U);
  EXPECT_EQ(counters.down_transitions, 1U);
  // Every check lands in one duration bucket (none takes 10 s here).
  std::uint64_t bucketed = 0;
  for (const auto count : counters.durations.counts) {
    bucketed += count;
  }
  EXPECT_EQ(bucketed, 5U);
  ASSERT_EQ(h.changes.size(), 3U);
  EXPECT_EQ(h.changes[1].from, Verdict::Up);
  EXPECT_EQ(h.changes[1].to, Verdict::Down);
  EXPECT_EQ(h.changes[2].to, Verdict::Up);
}

TEST(MonitorBase, FallCountDelaysDown) {
  Harness h({true, false, false, true, false, false, false}, fastConfig(1, 3));
  h.monitor->start();
  ASSERT_TRUE(runUntil(h.io, [&] { return h.monitor->counters().checks == 7; }));
  ASSERT_EQ(h.changes.size(), 2U);
  EXPECT_EQ(h.changes[1].to, Verdict::Down);
  EXPECT_EQ(h.monitor->counters().down_transitions, 1U);
}

TEST(MonitorBase, TimeoutCancelsProbeAndCountsDown) {
  Harness h({});
  h.monitor->start();
  ASSERT_TRUE(runUntil(h.io, [&] { return !h.changes.empty(); }));

  EXPECT_EQ(h.changes[0].to, Verdict::Down);
  EXPECT_EQ(h.monitor->counters().timeouts, 1U);
  EXPECT_EQ(h.monitor->counters().down_results, 1U);
  EXPECT_GE(h.probe->cancels, 1);
  EXPECT_NE(h.monitor->lastResult().message.find("timeout"), std::string::npos);

  // The cancelled probe's late answer is not counted.
  h.probe->answerLate();
  EXPECT_EQ(h.monitor->counters().checks, 1U);
}

TEST(MonitorBase, ChecksRepeatAfterATimeout) {
  Harness h({});
  h.monitor->start();
  ASSERT_TRUE(runUntil(h.io, [&] { return h.monitor->counters().timeouts >= 2; }));
  EXPECT_GE(h.probe->starts, 2);
  EXPECT_EQ(h.changes.size(), 1U);
}

TEST(MonitorBase, StopSilencesTheListener) {
  Harness h({true, true, true});
  h.monitor->start();
  h.monitor->stop();
  EXPECT_GE(h.probe->cancels, 1);
  h.io.run_for(std::chrono::milliseconds(20));
  EXPECT_TRUE(h.changes.empty());
  EXPECT_EQ(h.monitor->counters().checks, 0U);
}

TEST(MonitorBase, RestartsAfterStop) {
  Harness h({true, true});
  h.monitor->start();
  h.monitor->stop();
  h.monitor->start();
  ASSERT_TRUE(runUntil(h.io, [&] { return !h.changes.empty(); }));
  EXPECT_EQ(h.changes[0].to, Verdict::Up);
}

TEST(MonitorBase, ListenerMayDestroyTheMonitor) {
  Harness h({false, true});
  h.monitor = std::make_unique<MonitorBase>(
      h.io, planMonitor(fastConfig()), Target{"svc", "host1", *IpAddress::parse("192.0.2.1"), 80},
      [&h](Monitor&, Verdict, Verdict to) {
        h.changes.push_back({Verdict::Unknown, to});
        h.monitor.reset();
      },
      std::make_unique<ScriptedProbe>(h.io, std::deque<bool>{false, true}));
  h.monitor->start();
  ASSERT_TRUE(runUntil(h.io, [&] { return !h.changes.empty(); }));
  EXPECT_EQ(h.monitor, nullptr);
  h.io.run_for(std::chrono::milliseconds(20));
  EXPECT_EQ(h.changes.size(), 1U);
}

TEST(MonitorBase, ContinuousReportsGoThroughRiseAndFall) {
  boost::asio::io_context io;
  auto owned = std::make_unique<ManualContinuousProbe>();
  ManualContinuousProbe* probe = owned.get();
  std::vector<Verdict> seen;
  MonitorBase monitor(
      planMonitor(fastConfig(1, 2)), Target{"svc", "host1", *IpAddress::parse("192.0.2.1"), 80},
      [&](Monitor&, Verdict, Verdict to) { seen.push_back(to); }, std::move(owned));

  monitor.start();
  probe->send(true);
  probe->send(false, true);
  EXPECT_EQ(monitor.verdict(), Verdict::Up);
  probe->send(false);
  EXPECT_EQ(monitor.verdict(), Verdict::Down);
  EXPECT_EQ(seen, (std::vector<Verdict>{Verdict::Up, Verdict::Down}));
  EXPECT_EQ(monitor.counters().checks, 3U);
  EXPECT_EQ(monitor.counters().timeouts, 1U);

  monitor.stop();
  EXPECT_EQ(probe->stops, 1);
  probe->send(true);
  EXPECT_EQ(monitor.counters().checks, 3U);
}

}  // namespace
}  // namespace vipd::monitor
