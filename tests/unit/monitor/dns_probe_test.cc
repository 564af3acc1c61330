#include "monitor/dns_probe.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "monitor/dns_message.h"
#include "test_servers.h"

namespace vipd::monitor {
namespace {

using testing::DnsServer;
using testing::runUntil;
using testing::watch;

config::MonitorConfig dnsConfig(std::uint16_t port) {
  config::DnsParams params;
  params.hostnames = {"www.example.org"};
  params.record_type = config::DnsRecordType::A;
  params.port = port;
  return testing::testConfig(config::MonitorKind::Dns, params);
}

config::DnsParams& paramsOf(config::MonitorConfig& config) {
  return std::get<config::DnsParams>(config.params);
}

std::unique_ptr<testing::Watched> checkOnce(boost::asio::io_context& io,
                                            const config::MonitorConfig& config) {
  // The target's port is the service's; the dns probe uses params.port.
  auto watched = watch(io, config, 80);
  watched->monitor->start();
  EXPECT_TRUE(runUntil(io, [&] { return !watched->verdicts.empty(); }));
  return watched;
}

TEST(DnsProbe, JudgesTheRcode) {
  struct Case {
    std::string name;
    DnsServer::Mode mode;
    bool expect_answer;
    bool fail_on_nxdomain;
    bool up;
    std::string message;
  };
  using Mode = DnsServer::Mode;
  const std::vector<Case> cases = {
      {"answer", Mode::Answer, true, false, true, "dns: NOERROR, 1 answers for www.example.org A"},
      {"empty noerror", Mode::Empty, false, false, true,
       "dns: NOERROR, 0 answers for www.example.org A"},
      {"empty noerror, answer expected", Mode::Empty, true, false, false,
       "dns: NOERROR but no answer for www.example.org A"},
      {"nxdomain", Mode::NxDomain, false, false, true, "dns: NXDOMAIN for www.example.org A"},
      {"nxdomain failing", Mode::NxDomain, false, true, false,
       "dns: NXDOMAIN for www.example.org A"},
      {"servfail", Mode::ServFail, false, false, false, "dns: SERVFAIL for www.example.org A"},
      {"refused", Mode::Refused, false, false, false, "dns: REFUSED for www.example.org A"},
  };
  for (const Case& c : cases) {
    boost::asio::io_context io;
    DnsServer server(io, c.mode);
    auto config = dnsConfig(server.port());
    paramsOf(config).expect_answer = c.expect_answer;
    paramsOf(config).fail_on_nxdomain = c.fail_on_nxdomain;
    const auto watched = checkOnce(io, config);
    EXPECT_EQ(watched->verdict() == Verdict::Up, c.up) << c.name;
    EXPECT_EQ(watched->message(), c.message) << c.name;
    EXPECT_EQ(server.udpQueries(), 1U) << c.name;
    EXPECT_EQ(server.tcpQueries(), 0U) << c.name;
  }
}

TEST(DnsProbe, TruncatedReplyIsAskedAgainOverTcp) {
  boost::asio::io_context io;
  DnsServer server(io, DnsServer::Mode::Truncated);
  auto config = dnsConfig(server.port());
  paramsOf(config).expect_answer = true;
  paramsOf(config).record_type = config::DnsRecordType::Aaaa;
  const auto watched = checkOnce(io, config);
  EXPECT_EQ(watched->verdict(), Verdict::Up) << watched->message();
  EXPECT_EQ(server.udpQueries(), 1U);
  EXPECT_EQ(server.tcpQueries(), 1U);
  EXPECT_EQ(server.types(), (std::vector<std::uint16_t>{kDnsTypeAaaa, kDnsTypeAaaa}));
}

TEST(DnsProbe, IgnoresAReplyWithAnotherId) {
  boost::asio::io_context io;
  DnsServer server(io, DnsServer::Mode::WrongFirst);
  auto config = dnsConfig(server.port());
  paramsOf(config).expect_answer = true;
  const auto watched = checkOnce(io, config);
  EXPECT_EQ(watched->verdict(), Verdict::Up) << watched->message();
}

TEST(DnsProbe, MalformedReplyIsDown) {
  boost::asio::io_context io;
  DnsServer server(io, DnsServer::Mode::Garbage);
  const auto watched = checkOnce(io, dnsConfig(server.port()));
  EXPECT_EQ(watched->verdict(), Verdict::Down);
  EXPECT_NE(watched->message().find("bad reply"), std::string::npos) << watched->message();
}

TEST(DnsProbe, NoServerIsDownAtOnceOrByTimeout) {
  boost::asio::io_context io;
  auto config = dnsConfig(testing::unusedUdpPort());
  config.timeout = std::chrono::milliseconds(200);
  const auto watched = checkOnce(io, config);
  EXPECT_EQ(watched->verdict(), Verdict::Down);
  EXPECT_TRUE(watched->message() == "dns: udp receive: connection refused" ||
              watched->counters().timeouts == 1)
      << watched->message();
}

TEST(DnsProbe, RandomTypeAsksBothOverChecks) {
  boost::asio::io_context io;
  DnsServer server(io, DnsServer::Mode::Answer);
  auto config = dnsConfig(server.port());
  paramsOf(config).record_type = config::DnsRecordType::Random;
  auto watched = watch(io, config, 80);
  watched->monitor->start();
  // Forty queries of one type would mean no random choice (a chance of 2 in 2^40).
  ASSERT_TRUE(runUntil(io, [&] { return server.types().size() >= 40; }));
  std::size_t a = 0;
  for (const std::uint16_t type : server.types()) {
    a += type == kDnsTypeA ? 1U : 0U;
  }
  EXPECT_GT(a, 0U);
  EXPECT_LT(a, server.types().size());
}

}  // namespace
}  // namespace vipd::monitor
