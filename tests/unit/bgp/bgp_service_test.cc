// BgpService against a fake router (fake_router.h) on loopback port 0: the speaker's
// decisions reach the wire, stop() ends as the Speaker says, and the operator's commands
// (disable, enable and restart protocol, withdraw and announce vip) do what vipc promises.
#include "bgp/bgp_service.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <boost/asio.hpp>
#include <optional>
#include <sstream>

#include "common/log.h"
#include "fake_router.h"

namespace vipd::bgp {
namespace {

using fake::FakeRouter;
using fake::kLocalAs;
using fake::kRouterAs;
using fake::runUntil;

const char* const kVip = "198.18.0.1/32";

SpeakerSettings settingsFor(std::uint16_t port) {
  SpeakerSettings settings;
  settings.local_as = kLocalAs;
  settings.listen_port = 0;
  settings.hold_down = Seconds{0};
  PeerSettings peer;
  peer.name = "r1";
  peer.address = *IpAddress::parse("127.0.0.1");
  peer.port = port;
  peer.peer_as = kRouterAs;
  peer.local_address = IpAddress::parse("127.0.0.1");
  settings.peers = {peer};
  return settings;
}

std::vector<VipPolicy> vips() {
  VipPolicy vip;
  vip.name = kVip;
  vip.prefixes = {*Prefix::parse(kVip)};
  return {vip};
}

VipHealth healthy() {
  return VipHealth{{ServiceHealth{"web", 2, 2, true}}};
}

bool announces(const Update& update) {
  return !update.nlri.empty() && update.nlri[0] == *Prefix::parse(kVip);
}

bool withdraws(const Update& update) {
  return !update.withdrawn.empty() && update.withdrawn[0] == *Prefix::parse(kVip);
}

bool established(const BgpService& service) {
  return !service.sessions().empty() && service.sessions()[0].state == SessionState::Established;
}

TEST(BgpService, StartFailsWithoutARouterId) {
  boost::asio::io_context io;
  SpeakerSettings settings = settingsFor(179);
  settings.peers[0].local_address.reset();
  BgpService service(io, settings, vips());
  EXPECT_FALSE(service.start());
}

TEST(BgpService, RouterIdIsTheFirstLocalIpv4Address) {
  boost::asio::io_context io;
  FakeRouter router(io);
  BgpService service(io, settingsFor(router.port()), vips());
  ASSERT_TRUE(service.start());
  EXPECT_EQ(service.routerId(), 0x7F000001u);
}

TEST(BgpService, AnnouncesAfterStartupThenWithdrawsAndCeasesOnStop) {
  boost::asio::io_context io;
  FakeRouter router(io);
  router.accept();
  BgpService service(io, settingsFor(router.port()), vips());
  ASSERT_TRUE(service.start());
  service.setHealth(kVip, healthy());
  ASSERT_TRUE(runUntil(io, [&] {
    return !service.sessions().empty() && service.sessions()[0].state == SessionState::Established;
  }));
  EXPECT_TRUE(std::ranges::none_of(router.received<Update>(), announces));

  service.startupDone();
  ASSERT_TRUE(
      runUntil(io, [&] { return std::ranges::any_of(router.received<Update>(), announces); }));
  EXPECT_EQ(service.counters().announced, 1u);

  bool done = false;
  service.stop([&] { done = true; });
  ASSERT_TRUE(runUntil(io, [&] { return done; }));
  EXPECT_TRUE(router.closed());
  EXPECT_FALSE(router.reset());
  EXPECT_TRUE(std::ranges::any_of(router.received<Update>(), withdraws));
  ASSERT_EQ(router.received<Notification>().size(), 1u);
  EXPECT_EQ(router.received<Notification>()[0].shutdownCommunication(), "vipd stopping");
}

TEST(BgpService, StopUnderGracefulRestartKeepsTheRoutes) {
  boost::asio::io_context io;
  FakeRouter router(io);
  router.accept();
  SpeakerSettings settings = settingsFor(router.port());
  settings.graceful_restart.enabled = true;
  BgpService service(io, settings, vips());
  ASSERT_TRUE(service.start());
  service.setHealth(kVip, healthy());
  service.startupDone();
  ASSERT_TRUE(
      runUntil(io, [&] { return std::ranges::any_of(router.received<Update>(), announces); }));

  service.stop([] {});
  ASSERT_TRUE(runUntil(io, [&] { return router.closed(); }));
  EXPECT_TRUE(std::ranges::none_of(router.received<Update>(), withdraws));
  EXPECT_TRUE(router.received<Notification>().empty());
}

// The NOTIFICATION, then our FIN; the socket stays open for what the router still sends
// until the router closes too, and only then is the stop done.
TEST(BgpService, StopIsDoneOnceTheRouterHasClosedItsSide) {
  boost::asio::io_context io;
  FakeRouter router(io);
  router.keepOpenAfterEof();
  router.accept();
  SpeakerSettings settings = settingsFor(router.port());
  settings.peers[0].close_wait_time = Seconds{600};  // far beyond any wait of this test
  BgpService service(io, settings, vips());
  ASSERT_TRUE(service.start());
  ASSERT_TRUE(runUntil(io, [&] { return established(service); }));

  bool done = false;
  service.stop([&] { done = true; });
  ASSERT_TRUE(runUntil(io, [&] { return router.closed(); }));
  ASSERT_EQ(router.received<Notification>().size(), 1u);
  EXPECT_FALSE(router.reset());
  io.run_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(done);

  router.closeSocket();
  EXPECT_TRUE(runUntil(io, [&] { return done; }));
}

TEST(BgpService, StopGivesUpWaitingForARouterThatNeverCloses) {
  boost::asio::io_context io;
  FakeRouter router(io);
  router.keepOpenAfterEof();
  router.accept();
  SpeakerSettings settings = settingsFor(router.port());
  settings.peers[0].close_wait_time = Seconds{1};
  BgpService service(io, settings, vips());
  ASSERT_TRUE(service.start());
  ASSERT_TRUE(runUntil(io, [&] { return established(service); }));

  bool done = false;
  service.stop([&] { done = true; });
  EXPECT_TRUE(runUntil(io, [&] { return done; }));
  EXPECT_EQ(router.received<Notification>().size(), 1u);
}

// --- Operator commands -------------------------------------------------------------------

TEST(BgpService, UnknownPeersAndVipsAreErrors) {
  boost::asio::io_context io;
  BgpService service(io, settingsFor(179), vips());
  EXPECT_EQ(service.setPeerEnabled("r9", false).error(), "no such protocol: r9");
  EXPECT_EQ(service.setPeerEnabled("r9", true).error(), "no such protocol: r9");
  EXPECT_EQ(service.restartPeer("r9").error(), "no such protocol: r9");
  EXPECT_EQ(service.holdVip("192.0.2.99", true).error(), "no such vip: 192.0.2.99");
  EXPECT_EQ(service.holdVip("192.0.2.99", false).error(), "no such vip: 192.0.2.99");
}

TEST(BgpService, DisableCeasesWithAdministrativeShutdownUntilEnabled) {
  boost::asio::io_context io;
  FakeRouter router(io);
  router.accept();
  BgpService service(io, settingsFor(router.port()), vips());
  ASSERT_TRUE(service.start());
  service.setHealth(kVip, healthy());
  service.startupDone();
  ASSERT_TRUE(
      runUntil(io, [&] { return std::ranges::any_of(router.received<Update>(), announces); }));

  EXPECT_EQ(service.setPeerEnabled("r1", false), "protocol r1 disabled");
  ASSERT_TRUE(runUntil(io, [&] { return router.closed(); }));
  EXPECT_FALSE(router.reset());
  ASSERT_EQ(router.received<Notification>().size(), 1u);
  const Notification cease = router.received<Notification>()[0];
  EXPECT_EQ(cease.name(), "cease/administrative-shutdown");
  EXPECT_EQ(cease.shutdownCommunication(), "disabled by the operator: vipc disable protocol");
  EXPECT_FALSE(service.sessions()[0].enabled);
  EXPECT_EQ(service.sessions()[0].state, SessionState::Idle);
  EXPECT_EQ(service.setPeerEnabled("r1", false), "protocol r1 already disabled");
  EXPECT_EQ(service.restartPeer("r1").error(),
            "protocol r1 is disabled: vipc enable protocol r1 starts it");
  EXPECT_FALSE(service.routes()[0].announced);

  const auto announced = std::ranges::count_if(router.received<Update>(), announces);
  router.accept();
  EXPECT_EQ(service.setPeerEnabled("r1", true), "protocol r1 enabled");
  EXPECT_TRUE(service.sessions()[0].enabled);
  ASSERT_TRUE(runUntil(
      io, [&] { return std::ranges::count_if(router.received<Update>(), announces) > announced; }));
  EXPECT_EQ(router.connections(), 2);
  EXPECT_TRUE(service.routes()[0].announced);
}

TEST(BgpService, RestartCeasesWithAdministrativeResetAndComesBack) {
  boost::asio::io_context io;
  FakeRouter router(io);
  router.accept();
  BgpService service(io, settingsFor(router.port()), vips());
  ASSERT_TRUE(service.start());
  ASSERT_TRUE(runUntil(io, [&] { return established(service); }));

  router.accept();  // vipd connects again at once
  EXPECT_EQ(service.restartPeer("r1"), "protocol r1 restarted");
  ASSERT_TRUE(runUntil(io, [&] { return router.connections() == 2 && established(service); }));
  ASSERT_EQ(router.received<Notification>().size(), 1u);
  const Notification cease = router.received<Notification>()[0];
  EXPECT_EQ(cease.name(), "cease/administrative-reset");
  EXPECT_EQ(cease.shutdownCommunication(), "restarted by the operator: vipc restart protocol");
  EXPECT_TRUE(service.sessions()[0].enabled);
}

TEST(BgpService, WithdrawVipHoldsItUntilAnnounceVip) {
  boost::asio::io_context io;
  FakeRouter router(io);
  router.accept();
  BgpService service(io, settingsFor(router.port()), vips());
  ASSERT_TRUE(service.start());
  service.setHealth(kVip, healthy());
  service.startupDone();
  ASSERT_TRUE(
      runUntil(io, [&] { return std::ranges::any_of(router.received<Update>(), announces); }));

  EXPECT_EQ(service.holdVip("198.18.0.1", true),
            "vip 198.18.0.1/32 withdrawn from every peer until vipc announce vip 198.18.0.1/32");
  ASSERT_TRUE(
      runUntil(io, [&] { return std::ranges::any_of(router.received<Update>(), withdraws); }));
  EXPECT_EQ(service.counters().changes(ChangeReason::OperatorHold), 1u);
  EXPECT_EQ(service.holdVip(kVip, true), "vip 198.18.0.1/32 already held");
  ASSERT_EQ(service.routes().size(), 1u);
  EXPECT_TRUE(service.routes()[0].operator_hold);
  EXPECT_FALSE(service.routes()[0].announced);

  // Healthy throughout: announced at once, whatever the hold-down.
  EXPECT_EQ(service.holdVip(kVip, false), "vip 198.18.0.1/32 released, now announced: healthy=1/1");
  ASSERT_TRUE(runUntil(
      io, [&] { return std::ranges::count_if(router.received<Update>(), announces) == 2; }));
  EXPECT_EQ(service.holdVip(kVip, false), "vip 198.18.0.1/32 not held");
  EXPECT_TRUE(service.routes()[0].announced);
  EXPECT_EQ(service.routes()[0].as_path, (std::vector<std::uint32_t>{kLocalAs}));
}

// VIPs 198.18.1.0 + k, each its own /32.
std::vector<VipPolicy> manyVips(int count) {
  std::vector<VipPolicy> out;
  for (int k = 0; k < count; ++k) {
    VipPolicy vip;
    vip.name = "198.18." + std::to_string(1 + k / 256) + "." + std::to_string(k % 256) + "/32";
    vip.prefixes = {*Prefix::parse(vip.name)};
    out.push_back(vip);
  }
  return out;
}

VipHealth unhealthy() {
  return VipHealth{{ServiceHealth{"web", 2, 0, true}}};
}

std::size_t withdrawnPrefixes(const std::vector<Update>& updates) {
  std::size_t total = 0;
  for (const Update& update : updates) {
    total += update.withdrawn.size();
  }
  return total;
}

std::size_t announcedPrefixes(const std::vector<Update>& updates) {
  std::size_t total = 0;
  for (const Update& update : updates) {
    total += update.nlri.size();
  }
  return total;
}

bool mentions(const Update& update, const Prefix& prefix) {
  return std::ranges::find(update.withdrawn, prefix) != update.withdrawn.end() ||
         std::ranges::find(update.nlri, prefix) != update.nlri.end();
}

// A service with many VIPs, every one announced to the router.
class BgpServiceAnnounced : public testing::Test {
 protected:
  // Starts the service with count VIPs and waits until the router has every one: out on the
  // wire first, as the changes that follow in one turn would cancel the announcements. The
  // router accepts only now, so that a test may set it up before.
  void announce(int count) {
    router_.accept();
    policies_ = manyVips(count);
    BgpService& service = service_.emplace(io_, settingsFor(router_.port()), policies_);
    ASSERT_TRUE(service.start());
    for (const VipPolicy& vip : policies_) {
      service.setHealth(vip.name, healthy());
    }
    ASSERT_TRUE(runUntil(io_, [&] { return established(service); }));
    service.startupDone();
    ASSERT_TRUE(runUntil(
        io_, [&] { return announcedPrefixes(router_.received<Update>()) == policies_.size(); }));
  }

  boost::asio::io_context io_;
  FakeRouter router_{io_};
  std::vector<VipPolicy> policies_;
  std::optional<BgpService> service_;  // last: it goes before the router and the loop
};

TEST_F(BgpServiceAnnounced, ChangesOfOneLoopTurnShareUpdates) {
  ASSERT_NO_FATAL_FAILURE(announce(200));
  const std::size_t before = router_.received<Update>().size();

  for (const VipPolicy& vip : policies_) {
    service_->setHealth(vip.name, unhealthy());
  }
  ASSERT_TRUE(runUntil(io_, [&] { return withdrawnPrefixes(router_.received<Update>()) == 200; }));
  EXPECT_EQ(router_.received<Update>().size(), before + 1);
}

// A reload's big batch is queued whole; a change later in the same turn joins it.
TEST_F(BgpServiceAnnounced, ReloadRemovingThousandsOfVipsSharesUpdatesWithTheTurnsOtherChanges) {
  ASSERT_NO_FATAL_FAILURE(announce(2000));
  const std::size_t before = router_.received<Update>().size();

  const std::vector<VipPolicy> kept(policies_.begin(), policies_.begin() + 10);
  service_->setVips(kept);
  service_->setHealth(kept[0].name, unhealthy());
  ASSERT_TRUE(runUntil(io_, [&] { return withdrawnPrefixes(router_.received<Update>()) == 1991; }));

  // 1,991 withdrawals of 5 octets fill three UPDATEs of at most 4,096.
  const auto updates = router_.received<Update>();
  EXPECT_EQ(updates.size(), before + 3);
  EXPECT_TRUE(
      std::any_of(updates.begin() + static_cast<std::ptrdiff_t>(before), updates.end(),
                  [&](const Update& update) { return mentions(update, kept[0].prefixes[0]); }));
  EXPECT_EQ(service_->counters().changes(ChangeReason::Removed), 1990u);
  EXPECT_EQ(service_->counters().changes(ChangeReason::Unhealthy), 1u);
}

// A reload that removes thousands of VIPs writes its first withdrawals while it is still
// deciding the rest, and the rest follow in order though the router's buffer cannot hold
// them all.
TEST_F(BgpServiceAnnounced, BigReloadWritesItsFirstWithdrawalsBeforeItEnds) {
  router_.limitReceiveBuffer(4096);
  ASSERT_NO_FATAL_FAILURE(announce(6000));
  ASSERT_NO_FATAL_FAILURE(router_.limitPeerSendBuffer(4096));
  const std::size_t before = router_.received<Update>().size();
  ASSERT_EQ(router_.unread(), 0u);

  service_->setVips({});
  // The loop has not run since: what the router can read was written from within setVips().
  EXPECT_GT(router_.unread(), 0u);

  ASSERT_TRUE(runUntil(io_, [&] { return withdrawnPrefixes(router_.received<Update>()) == 6000; }));
  std::vector<Prefix> withdrawn;
  const auto updates = router_.received<Update>();
  for (auto update = updates.begin() + static_cast<std::ptrdiff_t>(before); update != updates.end();
       ++update) {
    withdrawn.insert(withdrawn.end(), update->withdrawn.begin(), update->withdrawn.end());
  }
  EXPECT_EQ(withdrawn.size(), 6000u);
  EXPECT_TRUE(std::ranges::is_sorted(withdrawn));
  EXPECT_EQ(service_->counters().changes(ChangeReason::Removed), 6000u);
}

// A decision streamed in parts is logged as the burst it is, its last few changes too: one
// summary line per part, no line per prefix at info.
TEST_F(BgpServiceAnnounced, StreamedDecisionIsLoggedAsABurstToItsLastChange) {
  std::ostringstream captured;
  auto logger = vipd::log::get("bgp");
  logger->sinks().push_back(std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
  announce(2048 + 10);  // the first part, and 10 more
  logger->sinks().pop_back();
  ASSERT_FALSE(HasFatalFailure());

  const std::string text = captured.str();
  const auto lines = [&](std::string_view what) {
    std::size_t count = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
      ++count;
    }
    return count;
  };
  EXPECT_EQ(lines("routes sent peer=r1 announced=2048 "), 1u) << text;
  EXPECT_EQ(lines("routes sent peer=r1 announced=10 "), 1u) << text;
  EXPECT_EQ(lines("vip announced"), 0u) << text;
}

TEST(BgpService, AnnounceThenWithdrawInOneTurnSendsOnlyWhatThePeerNeeds) {
  boost::asio::io_context io;
  FakeRouter router(io);
  router.accept();
  const auto policies = manyVips(3);  // 0: announced before, 1: not, 2: the marker
  const Prefix had = policies[0].prefixes[0];
  const Prefix never = policies[1].prefixes[0];
  BgpService service(io, settingsFor(router.port()), policies);
  ASSERT_TRUE(service.start());
  service.setHealth(policies[0].name, healthy());
  service.setHealth(policies[1].name, unhealthy());
  service.setHealth(policies[2].name, healthy());
  ASSERT_TRUE(runUntil(io, [&] { return established(service); }));
  service.startupDone();
  ASSERT_TRUE(runUntil(io, [&] { return announcedPrefixes(router.received<Update>()) == 2; }));
  const std::size_t before = router.received<Update>().size();

  for (const auto& policy : {policies[0], policies[1]}) {
    service.setHealth(policy.name, unhealthy());
    service.setHealth(policy.name, healthy());
    service.setHealth(policy.name, unhealthy());
  }
  service.setHealth(policies[2].name, unhealthy());
  ASSERT_TRUE(runUntil(io, [&] { return withdrawnPrefixes(router.received<Update>()) == 2; }));

  const auto updates = router.received<Update>();
  ASSERT_EQ(updates.size(), before + 1);
  const Update& last = updates.back();
  EXPECT_TRUE(last.nlri.empty());
  EXPECT_TRUE(mentions(last, had));
  EXPECT_FALSE(mentions(last, never));
}

// The timer of the deadlines is set again only when the earliest one moves: not on each of
// many changes that leave it where it was.
TEST(BgpService, ChangesThatLeaveTheEarliestDeadlineDoNotRearmTheTimer) {
  boost::asio::io_context io;
  SpeakerSettings settings = settingsFor(179);  // never started: no session needed
  settings.withdraw_delay = Seconds{60};
  const auto policies = manyVips(1000);
  BgpService service(io, settings, policies);
  for (const VipPolicy& vip : policies) {
    service.setHealth(vip.name, healthy());
  }
  service.startupDone();
  EXPECT_EQ(service.timerChanges(), 0u);

  // Each withdraw delay ends after the first one's: only the first sets the timer.
  for (const VipPolicy& vip : policies) {
    service.setHealth(vip.name, unhealthy());
  }
  EXPECT_EQ(service.timerChanges(), 1u);
  for (const VipPolicy& vip : policies) {
    service.setHealth(vip.name, unhealthy());
  }
  EXPECT_EQ(service.timerChanges(), 1u);

  // The first one recovers: the earliest deadline is now the second one's.
  service.setHealth(policies[0].name, healthy());
  EXPECT_EQ(service.timerChanges(), 2u);
}

}  // namespace
}  // namespace vipd::bgp
