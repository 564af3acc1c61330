// speaker_bench: the pure Speaker's own cost (no sockets, no encoding) for its big operations
// with N VIPs of one /32 each announced to one external peer: the bulk withdrawal (a reload
// that configures none), the per-VIP withdrawal (N down verdicts) and the announcement (N up
// verdicts), and start-up. It shows where bench/bgp/run's vipd figures go before the UPDATEs
// are packed. Run: build-hb-rel/speaker_bench [--benchmark_filter=...] (docs/performance.md).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench_vips.h"
#include "bgp/speaker.h"

namespace {

using namespace vipd;
using namespace vipd::bgp;
using bench::health;

constexpr std::int64_t kVips = 100'000;

SpeakerSettings speakerSettings() {
  SpeakerSettings settings;
  settings.local_as = 64512;
  settings.hold_down = Seconds{0};
  PeerSettings peer;
  peer.name = "r0";
  peer.address = *IpAddress::parse("127.0.0.1");
  peer.peer_as = 65000;
  settings.peers.push_back(std::move(peer));
  return settings;
}

PeerSession externalSession() {
  PeerSession session;
  session.local_ipv4 = IpAddress::parse("127.0.0.2");
  return session;
}

struct Fixture {
  std::vector<std::string> names;
  std::unique_ptr<Speaker> speaker;
};

// N VIPs, every one healthy; with started, announced to r0.
Fixture healthySpeaker(std::int64_t count, bool started) {
  Fixture fixture;
  auto vips = bench::vipPolicies(static_cast<std::uint32_t>(count));
  for (const VipPolicy& vip : vips) {
    fixture.names.push_back(vip.name);
  }
  fixture.speaker =
      std::make_unique<Speaker>(speakerSettings(), std::move(vips), bench::referenceAttributes());
  const auto now = std::chrono::steady_clock::now();
  for (const std::string& name : fixture.names) {
    fixture.speaker->setHealth(name, health(true), now);
  }
  fixture.speaker->peerUp("r0", externalSession());
  if (started) {
    fixture.speaker->startupDone(now);
  }
  return fixture;
}

void BM_StartupAnnounce(benchmark::State& state) {
  std::size_t changes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Fixture fixture = healthySpeaker(state.range(0), false);
    state.ResumeTiming();
    changes = fixture.speaker->startupDone(std::chrono::steady_clock::now()).size();
    state.PauseTiming();
    fixture.speaker.reset();
    state.ResumeTiming();
  }
  state.counters["changes"] = static_cast<double>(changes);
}

// The reload's decision, then the freeing of the removed VIPs that BgpService leaves until
// their withdrawals are sent (release_ms: its share of the time).
void BM_BulkWithdraw(benchmark::State& state) {
  std::size_t changes = 0;
  std::chrono::duration<double, std::milli> releasing{0};
  for (auto _ : state) {
    state.PauseTiming();
    Fixture fixture = healthySpeaker(state.range(0), true);
    state.ResumeTiming();
    changes = fixture.speaker->setVips({}, std::chrono::steady_clock::now()).size();
    const auto decided = std::chrono::steady_clock::now();
    fixture.speaker->releaseRetired();
    releasing += std::chrono::steady_clock::now() - decided;
    state.PauseTiming();
    fixture.speaker.reset();
    state.ResumeTiming();
  }
  state.counters["changes"] = static_cast<double>(changes);
  state.counters["release_ms"] = releasing.count() / static_cast<double>(state.iterations());
}

// Every VIP's verdict, one setHealth() each into one reused vector, as BgpService does.
void reportAll(Fixture& fixture, bool up, std::vector<RouteChange>& out) {
  const VipHealth verdict = health(up);
  const auto now = std::chrono::steady_clock::now();
  for (const std::string& name : fixture.names) {
    fixture.speaker->setHealth(name, verdict, now, out);
  }
}

// range(1) 0: every VIP's down verdict, the per-VIP withdrawal; 1: their up verdicts after
// that, the re-announcement.
void BM_PerVip(benchmark::State& state) {
  const bool reannounce = state.range(1) == 1;
  std::size_t changes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Fixture fixture = healthySpeaker(state.range(0), true);
    std::vector<RouteChange> out;
    if (reannounce) {
      reportAll(fixture, false, out);
      out.clear();
    }
    state.ResumeTiming();
    reportAll(fixture, reannounce, out);
    changes = out.size();
    state.PauseTiming();
    out = {};
    fixture.speaker.reset();
    state.ResumeTiming();
  }
  state.counters["changes"] = static_cast<double>(changes);
}

}  // namespace

BENCHMARK(BM_StartupAnnounce)->Arg(kVips)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_BulkWithdraw)->Arg(kVips)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_PerVip)->Args({kVips, 0})->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_PerVip)->Args({kVips, 1})->Unit(benchmark::kMillisecond)->Iterations(5);

BENCHMARK_MAIN();
