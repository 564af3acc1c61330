#include "ipvs/synchronizer.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "ipvs/dry_run_backend.h"

namespace vipd::ipvs {
namespace {

// A kernel in memory that fails the operations `fail` picks, and counts what it is asked.
class FakeBackend final : public Backend {
 public:
  explicit FakeBackend(boost::asio::io_context& io) : io_(io) {}

  void apply(std::vector<Operation> operations, ApplyDone done) override {
    ++batches;
    std::vector<OperationResult> results;
    for (auto& operation : operations) {
      attempted.push_back(toIpvsadm(operation));
      int error = fail ? fail(operation) : 0;
      if (error == 0) {
        error = applyToTable(kernel, operation);
      }
      results.push_back({std::move(operation), error, error == 0 ? "" : errorText(error)});
    }
    boost::asio::post(io_, [done = std::move(done), results = std::move(results)]() mutable {
      done(std::move(results));
    });
  }

  void dump(DumpDone done) override {
    ++dumps;
    std::expected<Table, std::string> result = kernel;
    if (failing_dumps > 0) {
      --failing_dumps;
      result = std::unexpected("Operation not permitted");
    }
    boost::asio::post(io_, [done = std::move(done), result = std::move(result)]() mutable {
      done(std::move(result));
    });
  }

  // The synchronizer never touches the global timeouts.
  void timeouts(TimeoutsDone done) override {
    boost::asio::post(io_, [done = std::move(done)] { done(Timeouts{}); });
  }
  void setTimeouts(const Timeouts&, SetTimeoutsDone done) override {
    boost::asio::post(io_, [done = std::move(done)] { done({}); });
  }

  std::string_view name() const override { return "fake"; }

  Table kernel;
  std::function<int(const Operation&)> fail;
  int failing_dumps = 0;
  std::vector<std::string> attempted;
  int batches = 0;
  int dumps = 0;

 private:
  boost::asio::io_context& io_;
};

IpAddress ip(const char* text) {
  return *IpAddress::parse(text);
}

ServiceKey key(const char* address, std::uint16_t port) {
  return {IpAddress::Family::V4, Protocol::Tcp, ip(address), port, 0};
}

const ServiceKey kWeb = key("192.0.2.10", 80);
const ServiceKey kApi = key("192.0.2.11", 443);
const ServiceKey kForeign = key("192.0.2.99", 80);

Destination dest(const char* address, std::uint32_t weight = 10) {
  Destination out;
  out.key = {ip(address), 80};
  out.weight = weight;
  return out;
}

ServiceEntry entry(ServiceKey k, std::vector<Destination> destinations) {
  ServiceEntry out;
  out.service.key = k;
  out.service.scheduler = "wrr";
  for (auto& d : destinations) {
    out.destinations[d.key] = d;
  }
  return out;
}

Table table(std::vector<ServiceEntry> entries) {
  Table out;
  for (auto& e : entries) {
    out.services[e.service.key] = e;
  }
  return out;
}

Table web(std::uint32_t weight = 10) {
  return table({entry(kWeb, {dest("198.51.100.1", weight), dest("198.51.100.2")})});
}

// No periodic re-dump, so that io_context::run() returns when the work is done.
constexpr SynchronizerOptions kNoTimer{std::chrono::milliseconds(0), 3};

TEST(Synchronizer, AdoptsWhatTheKernelHoldsWithoutTouchingIt) {
  boost::asio::io_context io;
  FakeBackend backend(io);
  backend.kernel = table({web().services.at(kWeb), entry(kForeign, {dest("198.51.100.9")})});
  const Table before = backend.kernel;

  Synchronizer sync(io, backend, kNoTimer);
  int first = 0;
  sync.onFirstReconcileDone([&] { ++first; });
  sync.setDesired(web());
  io.run();

  EXPECT_TRUE(backend.attempted.empty());
  EXPECT_EQ(backend.kernel, before);
  EXPECT_TRUE(sync.firstReconcileDone());
  EXPECT_EQ(first, 1);
  EXPECT_TRUE(sync.programmed(kWeb));
  EXPECT_FALSE(sync.programmed(kForeign));
  EXPECT_EQ(sync.counters().dumps, 1u);
  EXPECT_EQ(sync.counters().operations_applied, 0u);
}

TEST(Synchronizer, WaitsForTheFirstDesiredTableBeforeReconciling) {
  boost::asio::io_context io;
  FakeBackend backend(io);
  backend.kernel = web();

  Synchronizer sync(io, backend, kNoTimer);
  sync.setOwned({kWeb});
  io.run();

  EXPECT_EQ(backend.dumps, 1);
  EXPECT_TRUE(backend.attempted.empty());
  EXPECT_FALSE(sync.firstReconcileDone());
  EXPECT_EQ(sync.current(), web());
}

TEST(Synchronizer, BatchesABurstOfChangesIntoOneReconcile) {
  boost::asio::io_context io;
  FakeBackend backend(io);
  Synchronizer sync(io, backend, kNoTimer);
  sync.setDesired({});
  io.run();
  io.restart();

  for (std::uint32_t weight = 1; weight <= 5; ++weight) {
    sync.setDesired(web(weight));
  }
  io.run();

  EXPECT_EQ(backend.batches, 1);
  EXPECT_EQ(backend.kernel, web(5));
  EXPECT_EQ(sync.counters().operations_applied, 3u);
  EXPECT_EQ(sync.counters().batches, 1u);
}

TEST(Synchronizer, DryRunPrintsTheLinesInTheTurnAfterTheChange) {
  boost::asio::io_context io;
  char* buffer = nullptr;
  std::size_t size = 0;
  std::FILE* out = open_memstream(&buffer, &size);
  DryRunBackend backend(io, out);
  Synchronizer sync(io, backend, kNoTimer);
  sync.setDesired({});
  io.run();
  io.restart();

  sync.setDesired(web());
  sync.setDesired(web(20));
  EXPECT_EQ(size, 0u);
  EXPECT_EQ(io.run_one(), 1u);  // the one reconcile of the turn
  EXPECT_EQ(std::string(buffer, size),
            "-A -t 192.0.2.10:80 -s wrr\n"
            "-a -t 192.0.2.10:80 -r 198.51.100.1:80 -g -w 20\n"
            "-a -t 192.0.2.10:80 -r 198.51.100.2:80 -g -w 10\n");
  io.run();
  EXPECT_TRUE(sync.programmed(kWeb));

  std::fclose(out);
  std::free(buffer);
}

TEST(Synchronizer, ResolvesAnEexistByRedumping) {
  boost::asio::io_context io;
  FakeBackend backend(io);
  Synchronizer sync(io, backend, kNoTimer);
  sync.setDesired({});
  io.run();
  io.restart();

  // Added behind vipd's back after its dump: its view says the service is missing.
  backend.kernel = table({entry(kWeb, {dest("198.51.100.1", 99)})});
  sync.setDesired(web());
  io.run();

  EXPECT_EQ(backend.kernel, web());
  // -A and the first -a fail with EEXIST; the second -a succeeds (a batch is not atomic).
  EXPECT_EQ(sync.counters().operations_failed, 2u);
  EXPECT_EQ(sync.counters().dumps, 2u);
  EXPECT_EQ(sync.counters().gave_up, 0u);
  EXPECT_TRUE(sync.programmed(kWeb));
  EXPECT_EQ(backend.attempted.front(), "-A -t 192.0.2.10:80 -s wrr");
}

TEST(Synchronizer, ResolvesAnEnoentByRedumping) {
  boost::asio::io_context io;
  FakeBackend backend(io);
  backend.kernel = web();
  Synchronizer sync(io, backend, kNoTimer);
  sync.setDesired(web());
  io.run();
  io.restart();

  // Deleted behind vipd's back: the weight edit fails, the re-dump shows why.
  backend.kernel.services.at(kWeb).destinations.erase(dest("198.51.100.1").key);
  sync.setDesired(web(20));
  io.run();

  EXPECT_EQ(backend.kernel, web(20));
  EXPECT_EQ(backend.attempted,
            (std::vector<std::string>{"-e -t 192.0.2.10:80 -r 198.51.100.1:80 -g -w 20",
                                      "-a -t 192.0.2.10:80 -r 198.51.100.1:80 -g -w 20"}));
  EXPECT_EQ(sync.counters().operations_failed, 1u);
  EXPECT_EQ(sync.counters().operations_applied, 1u);
  EXPECT_TRUE(sync.programmed(kWeb));
}

TEST(Synchronizer, GivesUpAfterMaxRetriesAndReportsTheServiceUnprogrammed) {
  boost::asio::io_context io;
  FakeBackend backend(io);
  backend.fail = [](const Operation& operation) {
    const bool second =
        operation.destination && operation.destination->key.address == ip("198.51.100.2");
    return second ? EEXIST : 0;
  };
  Synchronizer sync(io, backend, {std::chrono::milliseconds(0), 2});
  std::vector<std::pair<ServiceKey, bool>> changes;
  sync.onProgrammedChanged([&](const ServiceKey& k, bool now) { changes.emplace_back(k, now); });
  sync.setDesired(table({web().services.at(kWeb), entry(kApi, {dest("198.51.100.3")})}));
  io.run();

  EXPECT_EQ(sync.counters().operations_failed, 3u);  // the first try and two retries
  EXPECT_EQ(sync.counters().gave_up, 1u);
  EXPECT_EQ(sync.counters().dumps, 3u);
  EXPECT_TRUE(sync.firstReconcileDone());
  EXPECT_FALSE(sync.programmed(kWeb));
  EXPECT_TRUE(sync.programmed(kApi));
  EXPECT_EQ(changes, (std::vector<std::pair<ServiceKey, bool>>{{kApi, true}}));

  // Once the kernel takes it, the next change programs the service.
  io.restart();
  backend.fail = nullptr;
  sync.setDesired(table({web().services.at(kWeb), entry(kApi, {dest("198.51.100.3", 5)})}));
  io.run();
  EXPECT_TRUE(sync.programmed(kWeb));
  EXPECT_EQ(changes.back(), std::make_pair(kWeb, true));
}

TEST(Synchronizer, DeletesOnlyOwnedServicesAndReportsThemUnprogrammed) {
  boost::asio::io_context io;
  FakeBackend backend(io);
  backend.kernel = table({entry(kForeign, {dest("198.51.100.9")})});
  Synchronizer sync(io, backend, kNoTimer);
  std::vector<std::pair<ServiceKey, bool>> changes;
  sync.onProgrammedChanged([&](const ServiceKey& k, bool now) { changes.emplace_back(k, now); });
  sync.setDesired(web());
  io.run();
  io.restart();

  sync.setOwned({kWeb});
  sync.setDesired({});
  io.run();

  EXPECT_EQ(backend.kernel, table({entry(kForeign, {dest("198.51.100.9")})}));
  EXPECT_EQ(backend.attempted.back(), "-D -t 192.0.2.10:80");
  EXPECT_FALSE(sync.programmed(kWeb));
  EXPECT_EQ(changes, (std::vector<std::pair<ServiceKey, bool>>{{kWeb, true}, {kWeb, false}}));
}

TEST(Synchronizer, RedumpRepairsDriftAndCountsEachRepair) {
  boost::asio::io_context io;
  FakeBackend backend(io);
  Synchronizer sync(io, backend, kNoTimer);
  sync.setDesired(web());
  io.run();
  io.restart();

  // Two changes behind vipd's back, and one foreign service it must leave alone.
  backend.kernel.services.at(kWeb).destinations.at(dest("198.51.100.1").key).weight = 1;
  backend.kernel.services.at(kWeb).destinations.erase(dest("198.51.100.2").key);
  backend.kernel.services[kForeign] = entry(kForeign, {dest("198.51.100.9")});
  sync.redumpNow();
  io.run();

  EXPECT_EQ(sync.counters().repairs, 2u);
  EXPECT_EQ(sync.counters().dumps, 2u);
  EXPECT_EQ(backend.kernel.services.at(kWeb), web().services.at(kWeb));
  EXPECT_TRUE(backend.kernel.services.contains(kForeign));
  EXPECT_TRUE(sync.programmed(kWeb));

  // Without drift a re-dump repairs nothing.
  io.restart();
  sync.redumpNow();
  io.run();
  EXPECT_EQ(sync.counters().repairs, 2u);
  EXPECT_EQ(sync.counters().dumps, 3u);
}

TEST(Synchronizer, RedumpsPeriodically) {
  boost::asio::io_context io;
  FakeBackend backend(io);
  Synchronizer sync(io, backend, {std::chrono::milliseconds(1), 3});
  sync.setDesired(web());

  // Run until the timer has re-dumped and put back a deleted destination.
  for (int i = 0; i < 100000 && sync.counters().dumps < 2; ++i) {
    io.run_one();
  }
  backend.kernel.services.at(kWeb).destinations.erase(dest("198.51.100.2").key);
  for (int i = 0; i < 100000 && sync.counters().repairs < 1; ++i) {
    io.run_one();
  }
  for (int i = 0; i < 100000 && backend.kernel != web(); ++i) {
    io.run_one();
  }

  EXPECT_GE(sync.counters().dumps, 3u);
  EXPECT_EQ(sync.counters().repairs, 1u);
  EXPECT_EQ(backend.kernel, web());
}

TEST(Synchronizer, RetriesAFailedDump) {
  boost::asio::io_context io;
  FakeBackend backend(io);
  backend.failing_dumps = 2;
  Synchronizer sync(io, backend, kNoTimer);
  sync.setDesired(web());
  io.run();

  EXPECT_EQ(sync.counters().dump_failures, 2u);
  EXPECT_EQ(sync.counters().dumps, 3u);
  EXPECT_EQ(backend.kernel, web());
  EXPECT_TRUE(sync.firstReconcileDone());
}

TEST(Synchronizer, CanBeDestroyedWithWorkQueued) {
  boost::asio::io_context io;
  FakeBackend backend(io);
  {
    Synchronizer sync(io, backend, {std::chrono::milliseconds(1), 3});
    sync.setDesired(web());
    io.run_one();  // the initial dump is asked for; its result stays queued
  }
  io.run();
  EXPECT_EQ(backend.dumps, 1);
  EXPECT_TRUE(backend.attempted.empty());
}

TEST(Synchronizer, ReconcilesOnlyTheDestinationsThatChanged) {
  boost::asio::io_context io;
  FakeBackend backend(io);
  Synchronizer sync(io, backend, kNoTimer);
  sync.setDesired(web());
  io.run();
  io.restart();

  // Drift the next batch must not look at: only a re-dump finds it.
  backend.kernel.services.at(kWeb).destinations.at(dest("198.51.100.2").key).weight = 3;
  backend.attempted.clear();
  sync.setDesiredDestination(kWeb, dest("198.51.100.1", 20));
  sync.setDesiredDestination(kWeb, dest("198.51.100.3"));
  sync.removeDesiredDestination(kWeb, dest("198.51.100.2").key);
  sync.setDesiredDestination(kWeb, dest("198.51.100.2"));  // back as it was desired
  io.run();

  EXPECT_EQ(backend.attempted,
            (std::vector<std::string>{"-a -t 192.0.2.10:80 -r 198.51.100.3:80 -g -w 10",
                                      "-e -t 192.0.2.10:80 -r 198.51.100.1:80 -g -w 20"}));
  EXPECT_EQ(sync.counters().batches, 2u);
  EXPECT_TRUE(sync.programmed(kWeb));

  io.restart();
  backend.attempted.clear();
  sync.redumpNow();
  io.run();
  EXPECT_EQ(backend.attempted,
            (std::vector<std::string>{"-e -t 192.0.2.10:80 -r 198.51.100.2:80 -g -w 10"}));
  EXPECT_EQ(sync.counters().repairs, 1u);
  EXPECT_EQ(
      backend.kernel,
      table({entry(kWeb, {dest("198.51.100.1", 20), dest("198.51.100.2"), dest("198.51.100.3")})}));
}

TEST(Synchronizer, SetsAndRemovesOneServiceLeavingTheOthers) {
  boost::asio::io_context io;
  FakeBackend backend(io);
  Synchronizer sync(io, backend, kNoTimer);
  std::vector<std::pair<ServiceKey, bool>> changes;
  sync.onProgrammedChanged([&](const ServiceKey& k, bool now) { changes.emplace_back(k, now); });
  sync.setDesired(web());
  io.run();
  io.restart();

  sync.setDesiredService(entry(kApi, {dest("198.51.100.3")}));
  io.run();
  io.restart();
  EXPECT_EQ(backend.kernel, table({web().services.at(kWeb), entry(kApi, {dest("198.51.100.3")})}));
  EXPECT_TRUE(sync.programmed(kApi));

  // Not owned: no longer desired, left in the kernel; owned: deleted.
  sync.removeDesiredService(kApi);
  io.run();
  io.restart();
  EXPECT_TRUE(backend.kernel.services.contains(kApi));
  EXPECT_FALSE(sync.programmed(kApi));
  sync.setOwned({kWeb, kApi});
  io.run();

  EXPECT_EQ(backend.kernel, web());
  EXPECT_EQ(backend.attempted.back(), "-D -t 192.0.2.11:443");
  EXPECT_EQ(changes,
            (std::vector<std::pair<ServiceKey, bool>>{{kWeb, true}, {kApi, true}, {kApi, false}}));
}

TEST(Synchronizer, PerServiceChangesWaitForTheFirstWholeTable) {
  boost::asio::io_context io;
  FakeBackend backend(io);
  backend.kernel = table({entry(kApi, {dest("198.51.100.3")})});
  Synchronizer sync(io, backend, kNoTimer);
  sync.setOwned({kApi});
  sync.setDesiredService(web().services.at(kWeb));
  sync.setDesiredDestination(kApi, dest("198.51.100.4"));  // not desired: ignored
  io.run();

  EXPECT_TRUE(backend.attempted.empty());
  EXPECT_FALSE(sync.firstReconcileDone());
  EXPECT_FALSE(sync.desired().services.contains(kApi));
}

// A destination changed again while its batch is with the backend is judged after the next
// batch: the service does not flap to "not programmed" in between.
TEST(Synchronizer, JudgesAChangeMadeDuringItsBatchAfterTheNextBatch) {
  boost::asio::io_context io;
  FakeBackend backend(io);
  Synchronizer sync(io, backend, kNoTimer);
  std::vector<std::pair<ServiceKey, bool>> changes;
  sync.onProgrammedChanged([&](const ServiceKey& k, bool now) { changes.emplace_back(k, now); });
  sync.setDesired(web());
  io.run();
  io.restart();

  bool changed_again = false;
  backend.fail = [&](const Operation&) {
    if (!changed_again) {
      changed_again = true;
      sync.setDesiredDestination(kWeb, dest("198.51.100.1", 30));
    }
    return 0;
  };
  sync.setDesiredDestination(kWeb, dest("198.51.100.1", 20));
  io.run();

  EXPECT_EQ(backend.kernel, web(30));
  EXPECT_EQ(sync.counters().batches, 3u);
  EXPECT_TRUE(sync.programmed(kWeb));
  EXPECT_EQ(changes, (std::vector<std::pair<ServiceKey, bool>>{{kWeb, true}}));
}

TEST(Synchronizer, KeepsItsTablesInCanonicalForm) {
  boost::asio::io_context io;
  FakeBackend backend(io);
  Table spelled = web();
  spelled.services.at(kWeb).service.flags = kFlagHashed;  // what a dump shows
  spelled.services.at(kWeb).service.netmask = 0;          // meaningless without persistence
  backend.kernel = spelled;
  Synchronizer sync(io, backend, kNoTimer);
  sync.setDesired(spelled);
  io.run();

  EXPECT_EQ(sync.desired(), canonical(spelled));
  EXPECT_EQ(sync.current(), canonical(spelled));
  EXPECT_TRUE(backend.attempted.empty());
  EXPECT_TRUE(sync.programmed(kWeb));
}

}  // namespace
}  // namespace vipd::ipvs
