#include "vipd/host_resolution.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <deque>

namespace vipd {
namespace {

using namespace std::chrono_literals;
using Answer = HostResolution::Answer;

IpAddress ip(const char* text) {
  return *IpAddress::parse(text);
}

// Answers each lookup with the next scripted answer (the last one repeats), from the loop.
struct ScriptedDns {
  boost::asio::io_context& io;
  std::deque<Answer> answers;
  int lookups = 0;
  int answered = 0;

  HostResolution::Lookup lookup() {
    return [this](const std::string&, std::function<void(Answer)> done) {
      ++lookups;
      Answer answer = answers.front();
      if (answers.size() > 1) {
        answers.pop_front();
      }
      boost::asio::post(io, [this, done = std::move(done), answer] {
        done(answer);
        ++answered;
      });
    };
  }
};

// Runs the loop until `answers` lookups have been answered (bounded).
void runUntilAnswered(boost::asio::io_context& io, const ScriptedDns& dns, int answers) {
  for (int i = 0; i < 10000 && dns.answered < answers; ++i) {
    io.run_one_for(100ms);
  }
}

TEST(HostResolution, NumericHostIsItsOwnAddressWithoutALookup) {
  boost::asio::io_context io;
  ScriptedDns dns{io, {Answer{}}};
  std::vector<IpAddress> seen;
  HostResolution resolution(
      io, "198.51.100.7", IpAddress::Family::V4, 1ms,
      [&](const IpAddress& address) { seen.push_back(address); }, dns.lookup());
  resolution.start();
  io.run_for(20ms);
  EXPECT_EQ(seen, std::vector<IpAddress>{ip("198.51.100.7")});
  EXPECT_EQ(dns.lookups, 0);
}

// What ServiceRuntime asks before it makes a HostResolution: a numeric host needs none.
TEST(HostResolution, NumericAddressNeedsNoResolution) {
  const auto v4 = HostResolution::numericAddress("192.0.2.1", IpAddress::Family::V4);
  ASSERT_TRUE(v4.has_value());
  EXPECT_EQ(v4->value_or(ip("0.0.0.0")), ip("192.0.2.1"));

  const auto v6 = HostResolution::numericAddress("2001:db8::5", IpAddress::Family::V6);
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->value_or(ip("::")), ip("2001:db8::5"));

  const auto other = HostResolution::numericAddress("2001:db8::5", IpAddress::Family::V4);
  ASSERT_TRUE(other.has_value());
  ASSERT_FALSE(other->has_value());
  EXPECT_EQ(other->error(), "address family differs from the service's");

  for (const char* name : {"web1.example", "localhost", "192.0.2.1.example", "192.0.2"}) {
    EXPECT_FALSE(HostResolution::numericAddress(name, IpAddress::Family::V4).has_value()) << name;
  }
}

TEST(HostResolution, NumericHostOfTheOtherFamilyIsReported) {
  boost::asio::io_context io;
  ScriptedDns dns{io, {Answer{}}};
  int calls = 0;
  HostResolution resolution(
      io, "2001:db8::7", IpAddress::Family::V4, 1ms, [&](const IpAddress&) { ++calls; },
      dns.lookup());
  resolution.start();
  io.run_for(10ms);
  EXPECT_EQ(calls, 0);
  EXPECT_FALSE(resolution.address().has_value());
  EXPECT_FALSE(resolution.lastError().empty());
}

TEST(HostResolution, PicksTheLowestAddressOfTheServiceFamilyAndKeepsItWhileAnswered) {
  boost::asio::io_context io;
  ScriptedDns dns{io,
                  {Answer{{ip("2001:db8::1"), ip("198.51.100.9"), ip("198.51.100.3")}},
                   Answer{{ip("198.51.100.1"), ip("198.51.100.9")}}}};
  std::vector<IpAddress> seen;
  HostResolution resolution(
      io, "cp1001.example.net", IpAddress::Family::V4, 1ms,
      [&](const IpAddress& address) { seen.push_back(address); }, dns.lookup());
  resolution.start();
  runUntilAnswered(io, dns, 1);
  ASSERT_EQ(seen, std::vector<IpAddress>{ip("198.51.100.3")});

  // .3 is gone from the answer: the lowest remaining one is taken, and then kept.
  runUntilAnswered(io, dns, 4);
  EXPECT_EQ(seen, (std::vector<IpAddress>{ip("198.51.100.3"), ip("198.51.100.1")}));
}

TEST(HostResolution, NameThatStopsResolvingKeepsItsLastAddressAndIsReported) {
  boost::asio::io_context io;
  ScriptedDns dns{io,
                  {Answer{{ip("198.51.100.3")}}, std::unexpected("Host not found"),
                   Answer{{ip("198.51.100.3")}}}};
  std::vector<IpAddress> seen;
  HostResolution resolution(
      io, "cp1002.example.net", IpAddress::Family::V4, 1ms,
      [&](const IpAddress& address) { seen.push_back(address); }, dns.lookup());
  resolution.start();
  runUntilAnswered(io, dns, 1);
  ASSERT_EQ(seen.size(), 1U);

  runUntilAnswered(io, dns, 2);
  EXPECT_EQ(resolution.lastError(), "Host not found");
  EXPECT_EQ(resolution.address(), ip("198.51.100.3"));

  // It resolves again to the same address: no change is reported, the error clears.
  runUntilAnswered(io, dns, 4);
  EXPECT_EQ(seen.size(), 1U);
  EXPECT_TRUE(resolution.lastError().empty());
}

TEST(HostResolution, AnswerWithoutTheServiceFamilyIsAnError) {
  boost::asio::io_context io;
  ScriptedDns dns{io, {Answer{{ip("2001:db8::1")}}}};
  int calls = 0;
  HostResolution resolution(
      io, "v6only.example.net", IpAddress::Family::V4, 1ms, [&](const IpAddress&) { ++calls; },
      dns.lookup());
  resolution.start();
  runUntilAnswered(io, dns, 1);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(resolution.lastError(), "no address of the service's family");
}

TEST(HostResolution, SystemLookupResolvesLocalhost) {
  boost::asio::io_context io;
  std::optional<IpAddress> seen;
  HostResolution resolution(io, "localhost", IpAddress::Family::V4, 1h,
                            [&](const IpAddress& address) { seen = address; });
  resolution.start();
  for (int i = 0; i < 100 && !seen; ++i) {
    io.run_one_for(100ms);
  }
  ASSERT_TRUE(seen.has_value()) << resolution.lastError();
  EXPECT_EQ(seen->toString(), "127.0.0.1");
}

}  // namespace
}  // namespace vipd
