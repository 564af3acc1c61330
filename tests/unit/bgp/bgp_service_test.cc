// BgpService against a fake router (fake_router.h) on loopback port 0: the speaker's
// decisions reach the wire, and stop() ends as the Speaker says.
#include "bgp/bgp_service.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>

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
  ASSERT_TRUE(runUntil(io, [&] { return router.closed(); }));
  EXPECT_TRUE(done);
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

}  // namespace
}  // namespace vipd::bgp
