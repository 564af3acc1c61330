#include "monitor/udp_probe.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "test_servers.h"

namespace vipd::monitor {
namespace {

using testing::runUntil;
using testing::UdpServer;
using testing::watch;

config::MonitorConfig udpConfig(bool expect_reply, std::string payload = {}) {
  config::UdpParams params;
  params.payload = std::move(payload);
  params.expect_reply = expect_reply;
  params.icmp_timeout = std::chrono::seconds(60);
  auto config = testing::testConfig(config::MonitorKind::Udp, params);
  config.timeout = std::chrono::milliseconds(100);
  return config;
}

TEST(UdpProbe, ReplyIsUpWhenExpected) {
  boost::asio::io_context io;
  UdpServer server(io, true);
  auto watched = watch(io, udpConfig(true, "ping"), server.port());
  watched->monitor->start();
  ASSERT_TRUE(runUntil(io, [&] { return !watched->verdicts.empty(); }));
  EXPECT_EQ(watched->verdict(), Verdict::Up) << watched->message();
  EXPECT_EQ(server.lastPayload(), "ping");
}

TEST(UdpProbe, SilenceIsDownWhenAReplyIsExpected) {
  boost::asio::io_context io;
  UdpServer server(io, false);
  auto watched = watch(io, udpConfig(true), server.port());
  watched->monitor->start();
  ASSERT_TRUE(runUntil(io, [&] { return !watched->verdicts.empty(); }));
  EXPECT_EQ(watched->verdict(), Verdict::Down);
  EXPECT_EQ(watched->counters().timeouts, 1U);
  EXPECT_EQ(server.datagrams(), 1U);
}

TEST(UdpProbe, SilentListenerIsUpWithoutExpectReply) {
  boost::asio::io_context io;
  UdpServer server(io, false);
  auto watched = watch(io, udpConfig(false), server.port());
  watched->monitor->start();
  ASSERT_TRUE(runUntil(io, [&] { return watched->counters().checks >= 2; }));
  EXPECT_EQ(watched->verdict(), Verdict::Up);
  EXPECT_EQ(watched->message(), "udp: no icmp error");
  EXPECT_EQ(watched->counters().timeouts, 0U);
  EXPECT_EQ(server.lastPayload(), "");
}

TEST(UdpProbe, PortUnreachableIsDownAndStaysDownForIcmpTimeout) {
  boost::asio::io_context io;
  auto watched = watch(io, udpConfig(false), testing::unusedUdpPort());
  watched->monitor->start();
  ASSERT_TRUE(runUntil(io, [&] { return watched->counters().checks >= 3; }));
  EXPECT_EQ(watched->verdict(), Verdict::Down);
  EXPECT_EQ(watched->counters().up_results, 0U);
  EXPECT_EQ(watched->counters().timeouts, 0U);
}

TEST(UdpProbe, ComesBackUpIcmpTimeoutAfterTheLastError) {
  boost::asio::io_context io;
  // A port that refuses now, where a listener appears later.
  auto listener = std::make_unique<UdpServer>(io, false);
  const std::uint16_t port = listener->port();
  listener.reset();

  auto config = udpConfig(false);
  std::get<config::UdpParams>(config.params).icmp_timeout = std::chrono::milliseconds(100);
  auto watched = watch(io, config, port);
  watched->monitor->start();
  ASSERT_TRUE(runUntil(io, [&] { return watched->verdict() == Verdict::Down; }));
  EXPECT_EQ(watched->message(), "udp: icmp port unreachable");

  // Quiet checks keep it down until icmp_timeout has passed; then it is up.
  UdpServer server(io, false, port);
  ASSERT_TRUE(runUntil(io, [&] { return watched->verdict() == Verdict::Up; }));
  EXPECT_EQ(watched->verdicts, (std::vector<Verdict>{Verdict::Down, Verdict::Up}));
}

}  // namespace
}  // namespace vipd::monitor
