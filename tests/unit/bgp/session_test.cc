// Session and Listener against fake routers (fake_router.h) on loopback port 0, all on one
// io_context.
#include "bgp/session.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "bgp/codec.h"
#include "bgp/listener.h"
#include "bgp/socket_options.h"
#include "fake_router.h"

namespace vipd::bgp {
namespace {

using fake::FakeRouter;
using fake::kLocalAs;
using fake::kRouterAs;
using fake::negotiatedContext;
using fake::runUntil;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

FsmSettings settingsFor(std::uint16_t port, std::string name = "r1") {
  FsmSettings settings;
  settings.local_as = kLocalAs;
  settings.router_id = 0x0A000002;
  settings.peer.name = std::move(name);
  settings.peer.address = *IpAddress::parse("127.0.0.1");
  settings.peer.port = port;
  settings.peer.peer_as = kRouterAs;
  settings.peer.connect_retry_time = Seconds{1};
  return settings;
}

struct Events {
  int established = 0;
  int down = 0;
};

Session::Callbacks callbacksFor(Events& events) {
  Session::Callbacks callbacks;
  callbacks.established = [&events](Session&) { ++events.established; };
  callbacks.down = [&events](Session&, FsmReason) { ++events.down; };
  return callbacks;
}

TEST(Session, EstablishesWithARouterAndDropsItsUpdates) {
  asio::io_context io;
  FakeRouter router(io);
  router.accept();
  Events events;
  Session session(io, settingsFor(router.port()), callbacksFor(events));
  session.start();

  ASSERT_TRUE(runUntil(io, [&] { return session.established(); }));
  EXPECT_EQ(events.established, 1);
  ASSERT_EQ(router.received<Open>().size(), 1u);
  EXPECT_EQ(router.received<Open>()[0].asNumber(), kLocalAs);

  router.sendUpdate();
  ASSERT_TRUE(runUntil(io, [&] { return session.status().counters.updates_received == 1; }));
  EXPECT_EQ(session.status().counters.prefixes_received, 1u);
  EXPECT_TRUE(session.established());
  const auto peer_session = session.peerSession();
  ASSERT_TRUE(peer_session);
  EXPECT_FALSE(peer_session->internal);
  EXPECT_EQ(peer_session->local_ipv4, IpAddress::parse("127.0.0.1"));
}

TEST(Session, SendsRoutesPackedIntoUpdates) {
  asio::io_context io;
  FakeRouter router(io);
  router.accept();
  Events events;
  Session session(io, settingsFor(router.port()), callbacksFor(events));
  session.start();
  ASSERT_TRUE(runUntil(io, [&] { return session.established(); }));

  PathAttributes attributes;
  attributes.origin = Origin::Igp;
  attributes.as_path = AsPath::sequence({kLocalAs});
  attributes.next_hop = IpAddress::parse("127.0.0.1");
  const std::vector<Announcement> announcements{
      {attributes, {*Prefix::parse("198.18.0.1/32"), *Prefix::parse("198.18.0.2/32")}}};
  session.sendRoutes(announcements, {});
  session.sendEndOfRib();

  ASSERT_TRUE(runUntil(io, [&] { return router.received<Update>().size() >= 3; }));
  const auto updates = router.received<Update>();
  EXPECT_EQ(updates[0].nlri.size(), 2u);
  EXPECT_EQ(updates[0].attributes.as_path, AsPath::sequence({kLocalAs}));
  EXPECT_EQ(updates[1].endOfRibFamily(), Afi::Ipv4);
  EXPECT_EQ(updates[2].endOfRibFamily(), Afi::Ipv6);
}

TEST(Session, MalformedMessageClosesOnlyThatPeerWithTheCodecsNotification) {
  asio::io_context io;
  FakeRouter good_router(io);
  FakeRouter bad_router(io);
  good_router.accept();
  bad_router.accept();
  Events good_events;
  Events bad_events;
  Session good(io, settingsFor(good_router.port(), "good"), callbacksFor(good_events));
  Session bad(io, settingsFor(bad_router.port(), "bad"), callbacksFor(bad_events));
  good.start();
  bad.start();
  ASSERT_TRUE(runUntil(io, [&] { return good.established() && bad.established(); }));

  // A KEEPALIVE whose marker is not all ones: RFC 4271 6.1, connection not synchronized.
  std::vector<std::uint8_t> broken;
  encodeKeepalive(broken);
  broken[0] = 0;
  bad_router.send(broken);

  ASSERT_TRUE(runUntil(io, [&] { return !bad_router.received<Notification>().empty(); }));
  EXPECT_EQ(bad_router.received<Notification>()[0].name(),
            "message-header-error/connection-not-synchronized");
  ASSERT_TRUE(runUntil(io, [&] { return bad_router.closed(); }));
  EXPECT_EQ(bad_events.down, 1);
  ASSERT_TRUE(bad.status().last_error);
  EXPECT_EQ(bad.status().last_error->direction, LastError::Direction::Sent);
  EXPECT_TRUE(good.established());
  EXPECT_EQ(good_events.down, 0);
}

TEST(Session, ReceivedNotificationEndsTheSession) {
  asio::io_context io;
  FakeRouter router(io);
  router.accept();
  Events events;
  Session session(io, settingsFor(router.port()), callbacksFor(events));
  session.start();
  ASSERT_TRUE(runUntil(io, [&] { return session.established(); }));

  std::vector<std::uint8_t> bytes;
  ASSERT_TRUE(encodeNotification(Notification::shutdown(CeaseError::AdministrativeShutdown, "bye"),
                                 negotiatedContext(), bytes));
  router.send(bytes);
  ASSERT_TRUE(runUntil(io, [&] { return events.down == 1; }));
  ASSERT_TRUE(session.status().last_error);
  EXPECT_EQ(session.status().last_error->toString(),
            "received cease/administrative-shutdown \"bye\"");
}

TEST(Session, StopSendsTheShutdownCommunication) {
  asio::io_context io;
  FakeRouter router(io);
  router.accept();
  Events events;
  Session session(io, settingsFor(router.port()), callbacksFor(events));
  session.start();
  ASSERT_TRUE(runUntil(io, [&] { return session.established(); }));

  session.stop(Notification::shutdown(CeaseError::AdministrativeShutdown, "maintenance"));
  ASSERT_TRUE(runUntil(io, [&] { return router.closed(); }));
  ASSERT_EQ(router.received<Notification>().size(), 1u);
  EXPECT_EQ(router.received<Notification>()[0].shutdownCommunication(), "maintenance");
  EXPECT_EQ(session.status().state, SessionState::Idle);
}

TEST(Listener, HandsAnIncomingConnectionToItsPeer) {
  asio::io_context io;
  Events events;
  FsmSettings settings = settingsFor(179);
  settings.peer.passive = true;
  Session session(io, settings, callbacksFor(events));
  Listener listener(io, [&](const IpAddress& peer) {
    return peer == settings.peer.address ? &session : nullptr;
  });
  ASSERT_TRUE(listener.listen(*IpAddress::parse("127.0.0.1"), 0));
  session.start();

  FakeRouter router(io);
  router.connect(listener.endpoints().at(0).second);
  ASSERT_TRUE(runUntil(io, [&] { return session.established(); }));
  ASSERT_TRUE(runUntil(io, [&] { return !router.received<Keepalive>().empty(); }));
  EXPECT_EQ(router.received<Open>().size(), 1u);
}

TEST(Listener, RefusesAConnectionFromAnUnknownAddress) {
  asio::io_context io;
  Listener listener(io, [](const IpAddress&) -> Session* { return nullptr; });
  ASSERT_TRUE(listener.listen(*IpAddress::parse("127.0.0.1"), 0));
  FakeRouter router(io);
  router.connect(listener.endpoints().at(0).second);
  ASSERT_TRUE(runUntil(io, [&] { return router.closed(); }));
}

TEST(Session, ConnectsWithTcpMd5Signatures) {
  asio::io_context io;
  FakeRouter router(io);
  ASSERT_TRUE(setMd5Key(router.acceptorFd(), false, *IpAddress::parse("127.0.0.1"), "secret"));
  router.accept();
  Events events;
  FsmSettings settings = settingsFor(router.port());
  settings.peer.md5_password = "secret";
  Session session(io, settings, callbacksFor(events));
  session.start();
  ASSERT_TRUE(runUntil(io, [&] { return session.established(); }));
}

TEST(Session, ConnectsWithTtlSecurityToARouterSendingWith255) {
  asio::io_context io;
  FakeRouter router(io);
  ASSERT_TRUE(setTtl(router.acceptorFd(), false, 255));  // inherited by the accepted socket
  router.accept();
  Events events;
  FsmSettings settings = settingsFor(router.port());
  settings.peer.ttl_security_hops = 1;
  Session session(io, settings, callbacksFor(events));
  session.start();
  ASSERT_TRUE(runUntil(io, [&] { return session.established(); }));
}

TEST(SocketOptions, RefusesAnOverlongMd5Password) {
  asio::io_context io;
  tcp::socket socket(io, tcp::v4());
  EXPECT_FALSE(setMd5Key(socket.native_handle(), false, *IpAddress::parse("127.0.0.1"),
                         std::string(81, 'x')));
  EXPECT_TRUE(setTtlSecurity(socket.native_handle(), false, 1));
}

}  // namespace
}  // namespace vipd::bgp
