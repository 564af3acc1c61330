// The verdict-to-kernel benchmark, run inside the test VM (bench/ipvs/run-latency): how long
// from a monitor's down verdict to the kernel's netlink reply that removes the server's
// destination, through vipd's own code path.
//
// One service (NAT, depool action remove, depool threshold 0 so that every down server is
// depooled) with S servers, each a listener of this process on 127.0.0.1, each watched by a
// real idle-connection monitor in a real ServiceRuntime; the Synchronizer programs the real
// kernel through the NetlinkBackend. Changes go from the runtime to the synchronizer as the
// daemon hands them over: on the runtime's change hook, one posted push of what changed.
// Once the table is programmed, the servers are killed one at a time (the held connection
// reset, the listener closed): the monitor's verdict is down at once, the pool depools the
// server, and the next batch deletes its destination.
//
// Timestamps (steady clock): kill, when the server resets its connection; verdict, when
// the runtime's change hook runs (inside the monitor's verdict handler, right after the
// pool's decision); apply, when the batch reaches the backend; reply, when the backend
// reports the batch's results (the kernel's acknowledgement read and posted). The backend
// is wrapped, not changed, to take the last two.
//
//   verdict_latency_bench [--servers S] [--pause-ms P]
//
// Logs (at info, as vipd writes them) go to stderr: point it at a file, not a terminal.
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/log.h"
#include "ipvs/netlink_backend.h"
#include "ipvs/synchronizer.h"
#include "vipd/service_runtime.h"

namespace vipd {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using tcp = asio::ip::tcp;

constexpr std::uint16_t kFirstPort = 20000;

struct Options {
  int servers = 250;
  int pause_ms = 20;  // between one reply and the next kill
};

std::optional<Options> parseOptions(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    const int value = i + 1 < argc ? std::atoi(argv[i + 1]) : -1;
    if (argument == "--servers" && value > 0) {
      options.servers = value;
    } else if (argument == "--pause-ms" && value >= 0) {
      options.pause_ms = value;
    } else {
      return std::nullopt;
    }
    ++i;
  }
  return options;
}

config::ServiceConfig serviceConfig(int servers) {
  config::ServiceConfig service;
  service.name = "latency";
  service.vip = IpAddress::parse("10.20.0.1");
  service.port = 80;
  service.forwarding = config::Forwarding::Nat;
  service.depool_threshold = 0;
  service.depool_action = config::DepoolAction::Remove;

  config::MonitorConfig monitor;
  monitor.name = "idle";
  monitor.kind = config::MonitorKind::IdleConnection;
  monitor.interval = config::Seconds{1};
  monitor.timeout = config::Seconds{2};
  monitor.params = config::IdleConnectionParams{};
  service.monitors.push_back(monitor);

  for (int i = 0; i < servers; ++i) {
    service.servers.push_back({"127.0.0.1", static_cast<std::uint16_t>(kFirstPort + i)});
  }
  return service;
}

// A server: a listener that keeps the connections it accepts until it is killed.
class Listener {
 public:
  Listener(asio::io_context& io, std::uint16_t port)
      : acceptor_(io, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), port)) {
    accept();
  }

  // The held connections reset (RST: the monitor's "closed uncleanly", down at once), the
  // listener closed so that a reconnect is refused.
  void kill() {
    acceptor_.close();
    for (auto& connection : connections_) {
      connection->set_option(asio::socket_base::linger(true, 0));
      connection->close();
    }
    connections_.clear();
  }

 private:
  void accept() {
    acceptor_.async_accept([this](boost::system::error_code error, tcp::socket socket) {
      if (error) {
        return;
      }
      connections_.push_back(std::make_unique<tcp::socket>(std::move(socket)));
      accept();
    });
  }

  tcp::acceptor acceptor_;
  std::vector<std::unique_ptr<tcp::socket>> connections_;
};

// The NetlinkBackend, with the time each batch is handed over and answered.
class TimedBackend final : public ipvs::Backend {
 public:
  using Applied = std::function<void(const std::vector<ipvs::OperationResult>&, Clock::time_point,
                                     Clock::time_point)>;

  TimedBackend(ipvs::Backend& inner, Applied applied) : inner_(inner), applied_(applied) {}

  void apply(std::vector<ipvs::Operation> operations, ApplyDone done) override {
    const auto handed = Clock::now();
    inner_.apply(std::move(operations), [this, handed, done = std::move(done)](auto results) {
      applied_(results, handed, Clock::now());
      done(std::move(results));
    });
  }
  void dump(DumpDone done) override { inner_.dump(std::move(done)); }
  void timeouts(TimeoutsDone done) override { inner_.timeouts(std::move(done)); }
  void setTimeouts(const ipvs::Timeouts& timeouts, SetTimeoutsDone done) override {
    inner_.setTimeouts(timeouts, std::move(done));
  }
  std::string_view name() const override { return inner_.name(); }

 private:
  ipvs::Backend& inner_;
  Applied applied_;
};

struct Sample {
  Clock::time_point kill;
  std::optional<Clock::time_point> verdict;  // the first change hook after the kill
  std::optional<Clock::time_point> apply;
  std::optional<Clock::time_point> reply;
};

double micros(Clock::duration duration) {
  return std::chrono::duration<double, std::micro>(duration).count();
}

void printDistribution(const char* name, std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const auto at = [&](double quantile) {
    return values[static_cast<std::size_t>(quantile * static_cast<double>(values.size() - 1))];
  };
  std::printf("%-16s n=%zu median=%.0f us p90=%.0f us p99=%.0f us max=%.0f us\n", name,
              values.size(), at(0.5), at(0.9), at(0.99), values.back());
}

class Bench {
 public:
  Bench(asio::io_context& io, ipvs::Backend& netlink, Options options)
      : io_(io),
        options_(options),
        backend_(netlink, [this](const auto& results, auto handed,
                                 auto answered) { onApplied(results, handed, answered); }),
        synchronizer_(io, backend_, {.redump_interval = std::chrono::seconds(0), .max_retries = 3}),
        pause_(io) {
    for (int i = 0; i < options.servers; ++i) {
      listeners_.push_back(
          std::make_unique<Listener>(io, static_cast<std::uint16_t>(kFirstPort + i)));
    }
    ServiceRuntime::Hooks hooks;
    hooks.on_change = [this] { onChange(); };
    hooks.on_startup_ended = [this] { programming_ = true; };
    service_ = std::make_unique<ServiceRuntime>(io, serviceConfig(options.servers), "", hooks);
    synchronizer_.onFirstReconcileDone([this] { onProgrammed(); });
  }

  void start() { service_->start(); }
  const std::vector<Sample>& samples() const { return samples_; }
  bool failed() const { return failed_; }

 private:
  // What the daemon does: one posted push a loop turn, the whole table the first time.
  void onChange() {
    if (current_ && !current_->verdict) {
      current_->verdict = Clock::now();
    }
    if (!programming_ || push_posted_) {
      return;
    }
    push_posted_ = true;
    asio::post(io_, [this] {
      push_posted_ = false;
      push();
    });
  }

  void push() {
    const auto changes = service_->takeDesiredChanges();
    const auto& entry = service_->desired();
    if (!pushed_ || changes.whole) {
      pushed_ = true;
      ipvs::Table desired;
      desired.services.emplace(entry.service.key, entry);
      synchronizer_.setDesired(std::move(desired));
      return;
    }
    for (const auto& key : changes.destinations) {
      const auto it = entry.destinations.find(key);
      if (it == entry.destinations.end()) {
        synchronizer_.removeDesiredDestination(entry.service.key, key);
      } else {
        synchronizer_.setDesiredDestination(entry.service.key, it->second);
      }
    }
  }

  void onProgrammed() {
    const auto& services = synchronizer_.current().services;
    const auto it = services.begin();
    const std::size_t destinations = it == services.end() ? 0 : it->second.destinations.size();
    std::fprintf(stderr, "programmed: %zu destinations\n", destinations);
    if (destinations != static_cast<std::size_t>(options_.servers)) {
      std::printf("FAILED: %zu destinations programmed, not %d\n", destinations, options_.servers);
      failed_ = true;
      io_.stop();
      return;
    }
    killNext();
  }

  void killNext() {
    if (next_ == options_.servers) {
      io_.stop();
      return;
    }
    samples_.push_back({Clock::now(), std::nullopt, std::nullopt, std::nullopt});
    current_ = &samples_.back();
    killed_port_ = static_cast<std::uint16_t>(kFirstPort + next_);
    listeners_[static_cast<std::size_t>(next_)]->kill();
    ++next_;
  }

  void onApplied(const std::vector<ipvs::OperationResult>& results, Clock::time_point handed,
                 Clock::time_point answered) {
    if (!current_) {
      return;
    }
    for (const auto& result : results) {
      const auto& destination = result.operation.destination;
      if (result.operation.kind != ipvs::OperationKind::DeleteDestination || !destination ||
          destination->key.port != killed_port_) {
        continue;
      }
      if (!result.ok()) {
        std::printf("FAILED: the kernel refused the delete of port %u: %s\n", killed_port_,
                    result.message.c_str());
        failed_ = true;
      }
      current_->apply = handed;
      current_->reply = answered;
      current_ = nullptr;
      pause_.expires_after(std::chrono::milliseconds(options_.pause_ms));
      pause_.async_wait([this](boost::system::error_code) { killNext(); });
    }
  }

  asio::io_context& io_;
  Options options_;
  TimedBackend backend_;
  ipvs::Synchronizer synchronizer_;
  asio::steady_timer pause_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::unique_ptr<ServiceRuntime> service_;
  bool programming_ = false;
  bool push_posted_ = false;
  bool pushed_ = false;
  bool failed_ = false;
  int next_ = 0;
  std::uint16_t killed_port_ = 0;
  std::vector<Sample> samples_;
  Sample* current_ = nullptr;
};

int run(const Options& options) {
  asio::io_context io;
  auto netlink = ipvs::NetlinkBackend::open(io);
  if (!netlink) {
    std::printf("FAILED: %s\n", netlink.error().c_str());
    return 1;
  }
  Bench bench(io, **netlink, options);
  bench.start();
  io.run();
  if (bench.failed()) {
    return 1;
  }

  std::vector<double> verdict_to_reply;
  std::vector<double> verdict_to_apply;
  std::vector<double> apply_to_reply;
  std::vector<double> kill_to_reply;
  for (const Sample& sample : bench.samples()) {
    if (!sample.reply || !sample.verdict) {
      continue;
    }
    verdict_to_reply.push_back(micros(*sample.reply - *sample.verdict));
    verdict_to_apply.push_back(micros(*sample.apply - *sample.verdict));
    apply_to_reply.push_back(micros(*sample.reply - *sample.apply));
    kill_to_reply.push_back(micros(*sample.reply - sample.kill));
  }
  if (verdict_to_reply.size() != static_cast<std::size_t>(options.servers)) {
    std::printf("FAILED: %zu of %d kills timed\n", verdict_to_reply.size(), options.servers);
    return 1;
  }
  printDistribution("verdict->reply", verdict_to_reply);
  printDistribution("verdict->apply", verdict_to_apply);
  printDistribution("apply->reply", apply_to_reply);
  printDistribution("kill->reply", kill_to_reply);
  return 0;
}

}  // namespace
}  // namespace vipd

int main(int argc, char** argv) {
  const auto options = vipd::parseOptions(argc, argv);
  if (!options) {
    std::fprintf(stderr, "usage: verdict_latency_bench [--servers S] [--pause-ms P]\n");
    return 2;
  }
  return vipd::run(*options);
}
