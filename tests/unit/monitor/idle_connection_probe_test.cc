#include "monitor/idle_connection_probe.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "test_servers.h"

namespace vipd::monitor {
namespace {

using testing::runUntil;
using testing::TcpServer;
using testing::watch;

config::MonitorConfig idleConfig() {
  config::IdleConnectionParams params;
  params.timeout_clean_reconnect = std::chrono::milliseconds(200);
  params.max_delay = std::chrono::milliseconds(40);
  auto config = testing::testConfig(config::MonitorKind::IdleConnection, params);
  config.interval = std::chrono::milliseconds(10);
  return config;
}

TEST(IdleConnectionProbe, UpWhileTheConnectionIsHeld) {
  boost::asio::io_context io;
  TcpServer server(io, TcpServer::Mode::Hold);
  auto watched = watch(io, idleConfig(), server.port());
  watched->monitor->start();
  ASSERT_TRUE(runUntil(io, [&] { return !watched->verdicts.empty(); }));
  EXPECT_EQ(watched->verdict(), Verdict::Up);

  // Nothing happens while the connection stays open.
  io.run_for(std::chrono::milliseconds(50));
  EXPECT_EQ(watched->counters().checks, 1U);
  EXPECT_EQ(server.accepted(), 1U);
}

TEST(IdleConnectionProbe, CleanCloseWithQuickReconnectStaysUp) {
  boost::asio::io_context io;
  TcpServer server(io, TcpServer::Mode::Hold);
  auto watched = watch(io, idleConfig(), server.port());
  watched->monitor->start();
  ASSERT_TRUE(runUntil(io, [&] { return server.held() == 1 && !watched->verdicts.empty(); }));

  server.closeAll();
  ASSERT_TRUE(runUntil(io, [&] { return watched->counters().checks == 2; }));
  EXPECT_EQ(watched->verdict(), Verdict::Up);
  EXPECT_EQ(watched->verdicts.size(), 1U);
  EXPECT_EQ(watched->message(), "reconnected after a clean close");
  EXPECT_TRUE(runUntil(io, [&] { return server.accepted() == 2; }));
}

TEST(IdleConnectionProbe, CleanCloseWithFailedReconnectIsDown) {
  boost::asio::io_context io;
  TcpServer server(io, TcpServer::Mode::Hold);
  auto watched = watch(io, idleConfig(), server.port());
  watched->monitor->start();
  ASSERT_TRUE(runUntil(io, [&] { return server.held() == 1 && !watched->verdicts.empty(); }));

  server.stopListening();
  server.closeAll();
  ASSERT_TRUE(runUntil(io, [&] { return watched->verdict() == Verdict::Down; }));
  EXPECT_EQ(watched->message(), "closed cleanly, reconnect: connection refused");
  EXPECT_EQ(watched->counters().down_transitions, 1U);
}

TEST(IdleConnectionProbe, ResetIsDownAtOnceThenReconnects) {
  boost::asio::io_context io;
  TcpServer server(io, TcpServer::Mode::Hold);
  auto watched = watch(io, idleConfig(), server.port());
  watched->monitor->start();
  ASSERT_TRUE(runUntil(io, [&] { return server.held() == 1 && !watched->verdicts.empty(); }));

  server.resetAll();
  ASSERT_TRUE(runUntil(io, [&] { return watched->verdict() == Verdict::Down; }));
  EXPECT_EQ(watched->message(), "connection lost: connection reset by peer");
  // The reset is down without a quick reconnect: only the back-off reconnects.
  EXPECT_EQ(watched->counters().checks, 2U);

  ASSERT_TRUE(runUntil(io, [&] { return watched->verdict() == Verdict::Up; }));
  EXPECT_EQ(watched->verdicts, (std::vector<Verdict>{Verdict::Up, Verdict::Down, Verdict::Up}));
}

TEST(IdleConnectionProbe, RefusedIsDownAndRetriesWithBackoff) {
  boost::asio::io_context io;
  TcpServer server(io, TcpServer::Mode::Hold);
  server.stopListening();
  auto watched = watch(io, idleConfig(), server.port());
  watched->monitor->start();
  ASSERT_TRUE(runUntil(io, [&] { return watched->counters().checks >= 4; }));
  EXPECT_EQ(watched->verdict(), Verdict::Down);
  EXPECT_EQ(watched->message(), "connect: connection refused");
  EXPECT_EQ(watched->verdicts.size(), 1U);

  server.listenAgain();
  ASSERT_TRUE(runUntil(io, [&] { return watched->verdict() == Verdict::Up; }));
  EXPECT_TRUE(runUntil(io, [&] { return server.accepted() == 1; }));
}

TEST(IdleConnectionProbe, StopClosesTheConnection) {
  boost::asio::io_context io;
  TcpServer server(io, TcpServer::Mode::Hold);
  auto watched = watch(io, idleConfig(), server.port());
  watched->monitor->start();
  ASSERT_TRUE(runUntil(io, [&] { return !watched->verdicts.empty(); }));
  watched->monitor->stop();
  server.closeAll();
  io.run_for(std::chrono::milliseconds(30));
  EXPECT_EQ(watched->counters().checks, 1U);
  EXPECT_EQ(server.accepted(), 1U);
}

}  // namespace
}  // namespace vipd::monitor
