#include "ipvs/timeouts_applier.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "ipvs/dry_run_backend.h"

namespace vipd::ipvs {
namespace {

using Outcome = std::optional<std::expected<TimeoutsChange, std::string>>;

TEST(TimeoutsApplier, ReportsTheKernelsValuesBeforeAndAfter) {
  boost::asio::io_context io;
  DryRunBackend backend(io, stdout);
  Outcome outcome;

  applyTimeouts(backend, {7200, 0, 60}, [&](auto result) { outcome = std::move(result); });
  EXPECT_FALSE(outcome.has_value());  // answered from the io_context, not inside the call
  io.run();

  ASSERT_TRUE(outcome.has_value());
  ASSERT_TRUE(outcome->has_value()) << outcome->error();
  EXPECT_EQ(**outcome, (TimeoutsChange{{7200, 0, 60}, {900, 120, 300}, {7200, 120, 60}}));
}

TEST(TimeoutsApplier, SetsTheTimeoutsBeforeWorkQueuedAfterIt) {
  boost::asio::io_context io;
  DryRunBackend backend(io, stdout);
  std::vector<std::string> order;

  applyTimeouts(backend, {0, 30, 0}, [&](auto) { order.emplace_back("timeouts"); });
  backend.timeouts([&](std::expected<Timeouts, std::string> now) {
    ASSERT_TRUE(now.has_value());
    EXPECT_EQ(now->tcp_fin, 30u);
    order.emplace_back("read");
  });
  io.run();

  EXPECT_EQ(order, (std::vector<std::string>{"timeouts", "read"}));
}

TEST(TimeoutsApplier, OutlivesTheBackendWithAnswersPending) {
  boost::asio::io_context io;
  Outcome outcome;
  {
    DryRunBackend backend(io, stdout);
    applyTimeouts(backend, {10, 10, 10}, [&](auto result) { outcome = std::move(result); });
  }
  io.run();

  ASSERT_TRUE(outcome.has_value());
  EXPECT_TRUE(outcome->has_value());
}

}  // namespace
}  // namespace vipd::ipvs
