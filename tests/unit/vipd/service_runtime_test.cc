// ServiceRuntime keeps its desired IPVS entry up to date from each pool decision. These
// tests drive a service of numeric servers without monitors (each is up as soon as it is
// listed) and check desired() against the entry rebuilt from the pool's whole state, and
// takeDesiredChanges() against what a change touched.
#include "vipd/service_runtime.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "vipd/ipvs_mapping.h"

namespace vipd {
namespace {

constexpr std::uint16_t kPort = 80;

config::ServiceConfig webService(config::DepoolAction action) {
  config::ServiceConfig service;
  service.name = "web";
  service.protocol = config::Protocol::Tcp;
  service.vip = IpAddress::parse("192.0.2.10");
  service.port = kPort;
  service.scheduler = "wrr";
  service.depool_threshold = 0.0;
  service.depool_action = action;
  for (const char* host : {"127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"}) {
    service.servers.push_back({host, std::nullopt, 10, true});
  }
  return service;
}

// The entry as a rebuild from every server would make it.
ipvs::ServiceEntry rebuilt(const ServiceRuntime& runtime) {
  ipvs::ServiceEntry entry;
  entry.service = *toIpvsService(runtime.config());
  for (const auto& [id, state] : runtime.pool().servers()) {
    const auto destination = toIpvsDestination(runtime.config(), *IpAddress::parse(id.host),
                                               id.port, state.spec.weight, state.pooled);
    if (destination) {
      entry.destinations.emplace(destination->key, *destination);
    }
  }
  return entry;
}

ipvs::DestinationKey keyOf(const char* host) {
  return {*IpAddress::parse(host), kPort};
}

pool::ServerId server(const char* host) {
  return {host, kPort};
}

// Runs the loop until `done`, giving up after a deadline (never a timing assertion).
template <typename Predicate>
bool runUntil(boost::asio::io_context& io, Predicate done) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done() && std::chrono::steady_clock::now() < give_up) {
    io.run_for(std::chrono::milliseconds(10));
    io.restart();
  }
  return done();
}

class ServiceRuntimeDesired : public testing::TestWithParam<config::DepoolAction> {
 protected:
  void start() {
    runtime_ =
        std::make_unique<ServiceRuntime>(io_, webService(GetParam()), ".", ServiceRuntime::Hooks{});
    runtime_->start();
    ASSERT_TRUE(runUntil(io_, [&] { return !runtime_->pool().starting(); }))
        << "gave up waiting for the first decisions";
  }

  boost::asio::io_context io_;
  std::unique_ptr<ServiceRuntime> runtime_;
};

TEST_P(ServiceRuntimeDesired, HoldsEveryServerOnceStartUpEnds) {
  start();
  EXPECT_EQ(runtime_->desired(), rebuilt(*runtime_));
  EXPECT_EQ(runtime_->desired().destinations.size(), 4u);
  EXPECT_TRUE(runtime_->takeDesiredChanges().whole);
  EXPECT_FALSE(runtime_->takeDesiredChanges().whole);
}

TEST_P(ServiceRuntimeDesired, ADecisionChangesOnlyItsServersDestination) {
  start();
  runtime_->takeDesiredChanges();

  runtime_->setOperatorDisabled(server("127.0.0.2"), true);
  EXPECT_EQ(runtime_->desired(), rebuilt(*runtime_));
  auto changes = runtime_->takeDesiredChanges();
  EXPECT_FALSE(changes.whole);
  EXPECT_EQ(changes.destinations, std::vector<ipvs::DestinationKey>{keyOf("127.0.0.2")});

  runtime_->setOperatorDisabled(server("127.0.0.2"), false);
  ASSERT_TRUE(runUntil(io_, [&] { return runtime_->pool().pooledCount() == 4; }))
      << "gave up waiting for the server to be pooled again";
  EXPECT_EQ(runtime_->desired(), rebuilt(*runtime_));
  changes = runtime_->takeDesiredChanges();
  EXPECT_FALSE(changes.whole);
  EXPECT_EQ(
      std::set<ipvs::DestinationKey>(changes.destinations.begin(), changes.destinations.end()),
      std::set<ipvs::DestinationKey>{keyOf("127.0.0.2")});
}

TEST_P(ServiceRuntimeDesired, ANewDepoolActionChangesTheWholeEntry) {
  start();
  runtime_->setOperatorDisabled(server("127.0.0.3"), true);
  runtime_->takeDesiredChanges();

  auto next = webService(GetParam() == config::DepoolAction::Remove ? config::DepoolAction::Drain
                                                                    : config::DepoolAction::Remove);
  runtime_->reconfigure(next);
  EXPECT_TRUE(runtime_->takeDesiredChanges().whole);
  EXPECT_EQ(runtime_->desired(), rebuilt(*runtime_));
}

TEST_P(ServiceRuntimeDesired, AServerListedTwiceTakesItsLastEntryAndUnlistedOnesGo) {
  start();
  auto next = webService(GetParam());
  next.servers.pop_back();                                 // 127.0.0.4 leaves
  next.servers.push_back({"127.0.0.2", kPort, 30, true});  // listed again: this entry wins
  next.servers.push_back({"127.0.0.5", std::nullopt, 20, true});
  runtime_->reconfigure(next);
  ASSERT_TRUE(runUntil(io_, [&] { return runtime_->pool().pooledCount() == 4; }))
      << "gave up waiting for the new server to be pooled";

  const auto& servers = runtime_->pool().servers();
  EXPECT_EQ(servers.size(), 4u);
  EXPECT_FALSE(servers.contains(server("127.0.0.4")));
  EXPECT_EQ(servers.at(server("127.0.0.2")).spec.weight, 30u);
  EXPECT_EQ(servers.at(server("127.0.0.5")).spec.weight, 20u);
  EXPECT_FALSE(runtime_->serverDetail(server("127.0.0.4")));
  EXPECT_EQ(runtime_->desired(), rebuilt(*runtime_));
}

// A list of a thousand servers arms the memory trim; the runtime may go before it fires.
TEST(ServiceRuntime, DestroyedWithATrimPendingLeavesNothingBehind) {
  boost::asio::io_context io;
  auto service = webService(config::DepoolAction::Remove);
  service.servers.clear();
  for (int k = 0; k < 1000; ++k) {
    service.servers.push_back(
        {fmt::format("127.1.{}.{}", k / 250, 1 + k % 250), std::nullopt, 10, true});
  }
  auto runtime = std::make_unique<ServiceRuntime>(io, service, ".", ServiceRuntime::Hooks{});
  runtime->start();
  ASSERT_TRUE(runUntil(io, [&] { return !runtime->pool().starting(); }));
  EXPECT_EQ(runtime->pool().pooledCount(), 1000u);

  runtime.reset();
  io.restart();
  io.run();  // the aborted trim's handler runs here, and must not touch the runtime
}

INSTANTIATE_TEST_SUITE_P(DepoolActions, ServiceRuntimeDesired,
                         testing::Values(config::DepoolAction::Remove, config::DepoolAction::Drain),
                         [](const auto& param_info) {
                           return param_info.param == config::DepoolAction::Remove ? "Remove"
                                                                                   : "Drain";
                         });

}  // namespace
}  // namespace vipd
