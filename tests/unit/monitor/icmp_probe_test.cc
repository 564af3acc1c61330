#include "monitor/icmp_probe.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "test_servers.h"

namespace vipd::monitor {
namespace {

using testing::runUntil;
using testing::watch;

// Runs as root in CI (a raw socket), or where ping sockets are allowed.
TEST(IcmpProbe, LoopbackAnswersEchoRequests) {
  for (const std::string address : {"127.0.0.1", "::1"}) {
    boost::asio::io_context io;
    auto watched =
        watch(io, testing::testConfig(config::MonitorKind::Icmp, config::IcmpParams{}), 0, address);
    watched->monitor->start();
    ASSERT_TRUE(runUntil(io, [&] { return watched->counters().checks >= 3; })) << address;
    EXPECT_EQ(watched->verdict(), Verdict::Up) << address << ": " << watched->message();
    EXPECT_EQ(watched->counters().up_results, watched->counters().checks) << address;
  }
}

TEST(IcmpProbe, ConcurrentProbesEachMatchTheirOwnReply) {
  boost::asio::io_context io;
  std::vector<std::unique_ptr<testing::Watched>> monitors;
  for (int i = 0; i < 4; ++i) {
    monitors.push_back(
        watch(io, testing::testConfig(config::MonitorKind::Icmp, config::IcmpParams{16}), 0));
    monitors.back()->monitor->start();
  }
  ASSERT_TRUE(runUntil(io, [&] {
    for (const auto& watched : monitors) {
      if (watched->counters().checks < 5) {
        return false;
      }
    }
    return true;
  }));
  for (const auto& watched : monitors) {
    EXPECT_EQ(watched->counters().down_results, 0U) << watched->message();
  }
}

}  // namespace
}  // namespace vipd::monitor
