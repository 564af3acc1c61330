#include "monitor/tcp_probe.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "test_servers.h"

namespace vipd::monitor {
namespace {

using testing::runUntil;
using testing::TcpServer;
using testing::testConfig;
using testing::watch;

config::MonitorConfig tcpConfig(std::optional<std::string> send = {},
                                std::optional<std::string> expect = {}) {
  return testConfig(config::MonitorKind::Tcp, config::TcpParams{send, expect});
}

TEST(TcpProbe, UpWhenConnectSucceeds) {
  boost::asio::io_context io;
  TcpServer server(io, TcpServer::Mode::Silent);
  auto watched = watch(io, tcpConfig(), server.port());
  watched->monitor->start();
  // The client's connect may complete before the server's accept is handled.
  ASSERT_TRUE(runUntil(io, [&] { return !watched->verdicts.empty() && server.accepted() > 0; }));
  EXPECT_EQ(watched->verdict(), Verdict::Up);
  EXPECT_EQ(server.accepted(), 1U);
}

TEST(TcpProbe, DownWhenRefused) {
  boost::asio::io_context io;
  auto watched = watch(io, tcpConfig(), testing::unusedTcpPort());
  watched->monitor->start();
  ASSERT_TRUE(runUntil(io, [&] { return !watched->verdicts.empty(); }));
  EXPECT_EQ(watched->verdict(), Verdict::Down);
  EXPECT_EQ(watched->message(), "connect: connection refused");
  EXPECT_EQ(watched->counters().timeouts, 0U);
}

TEST(TcpProbe, RepeatsOnTheIntervalWithANewConnectionEachTime) {
  boost::asio::io_context io;
  TcpServer server(io, TcpServer::Mode::CloseCleanly);
  auto watched = watch(io, tcpConfig(), server.port());
  watched->monitor->start();
  ASSERT_TRUE(runUntil(io, [&] { return watched->counters().checks >= 3; }));
  EXPECT_EQ(watched->counters().up_results, watched->counters().checks);
  EXPECT_TRUE(runUntil(io, [&] { return server.accepted() >= 3; }));
  EXPECT_EQ(watched->verdicts.size(), 1U);
}

TEST(TcpProbe, SendsAndMatchesTheReply) {
  struct Case {
    std::string name;
    std::optional<std::string> send;
    std::string reply;
    std::string expect;
    bool up;
  };
  const std::vector<Case> cases = {
      {"exact reply", "PING\r\n", "PONG\r\n", "PONG", true},
      {"reply longer than expected", std::nullopt, "220 smtp ready\r\n", "220 ", true},
      {"wrong reply", "PING\r\n", "ERR\r\n", "PONG", false},
      {"short reply then close", std::nullopt, "PO", "PONG", false},
  };
  for (const Case& c : cases) {
    boost::asio::io_context io;
    TcpServer server(io, TcpServer::Mode::Reply, c.reply);
    auto watched = watch(io, tcpConfig(c.send, c.expect), server.port());
    watched->monitor->start();
    if (c.name == "short reply then close") {
      ASSERT_TRUE(runUntil(io, [&] { return server.held() == 1; })) << c.name;
      server.closeAll();
    }
    ASSERT_TRUE(runUntil(io, [&] { return !watched->verdicts.empty(); })) << c.name;
    EXPECT_EQ(watched->verdict() == Verdict::Up, c.up) << c.name << ": " << watched->message();
    if (c.send) {
      ASSERT_TRUE(runUntil(io, [&] { return server.received().size() >= c.send->size(); }));
      EXPECT_EQ(server.received().substr(0, c.send->size()), *c.send) << c.name;
    }
  }
}

TEST(TcpProbe, SilentServerTimesOutWhenAReplyIsExpected) {
  boost::asio::io_context io;
  TcpServer server(io, TcpServer::Mode::Silent);
  auto config = tcpConfig(std::nullopt, "HELLO");
  config.timeout = std::chrono::milliseconds(50);
  auto watched = watch(io, config, server.port());
  watched->monitor->start();
  ASSERT_TRUE(runUntil(io, [&] { return !watched->verdicts.empty(); }));
  EXPECT_EQ(watched->verdict(), Verdict::Down);
  EXPECT_EQ(watched->counters().timeouts, 1U);
}

TEST(TcpProbe, SlowServerIsUpWithinTheTimeoutAndDownPastIt) {
  for (const bool generous : {true, false}) {
    boost::asio::io_context io;
    TcpServer server(io, TcpServer::Mode::Slow, "HELLO", std::chrono::milliseconds(100));
    auto config = tcpConfig(std::nullopt, "HELLO");
    config.timeout = generous ? std::chrono::milliseconds(5000) : std::chrono::milliseconds(10);
    auto watched = watch(io, config, server.port());
    watched->monitor->start();
    ASSERT_TRUE(runUntil(io, [&] { return !watched->verdicts.empty(); }));
    EXPECT_EQ(watched->verdict(), generous ? Verdict::Up : Verdict::Down) << watched->message();
    EXPECT_EQ(watched->counters().timeouts, generous ? 0U : 1U);
  }
}

TEST(TcpProbe, ResetServerIsDownWhenAReplyIsExpected) {
  boost::asio::io_context io;
  TcpServer server(io, TcpServer::Mode::Reset);
  auto watched = watch(io, tcpConfig(std::nullopt, "HELLO"), server.port());
  watched->monitor->start();
  ASSERT_TRUE(runUntil(io, [&] { return !watched->verdicts.empty(); }));
  EXPECT_EQ(watched->verdict(), Verdict::Down);
  EXPECT_EQ(watched->counters().timeouts, 0U);
}

}  // namespace
}  // namespace vipd::monitor
