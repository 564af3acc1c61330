#include "monitor/backoff.h"

#include <gtest/gtest.h>

#include <vector>

namespace vipd::monitor {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, DoublesUpToTheCap) {
  struct Case {
    milliseconds first;
    milliseconds max;
    std::vector<milliseconds> expected;
  };
  const std::vector<Case> cases = {
      {milliseconds(100),
       milliseconds(1000),
       {milliseconds(100), milliseconds(200), milliseconds(400), milliseconds(800),
        milliseconds(1000), milliseconds(1000)}},
      {milliseconds(500), milliseconds(500), {milliseconds(500), milliseconds(500)}},
      {milliseconds(300), milliseconds(100), {milliseconds(300), milliseconds(300)}},
  };
  for (const Case& c : cases) {
    Backoff backoff(c.first, c.max);
    for (std::size_t i = 0; i < c.expected.size(); ++i) {
      EXPECT_EQ(backoff.next(), c.expected[i]) << "step " << i;
    }
  }
}

TEST(Backoff, ResetStartsOver) {
  Backoff backoff(milliseconds(10), milliseconds(1000));
  backoff.next();
  backoff.next();
  backoff.reset();
  EXPECT_EQ(backoff.next(), milliseconds(10));
}

TEST(Backoff, HugeCapDoesNotOverflow) {
  Backoff backoff(std::chrono::hours(1), std::chrono::nanoseconds::max());
  std::chrono::nanoseconds last{0};
  for (int i = 0; i < 80; ++i) {
    const auto delay = backoff.next();
    EXPECT_GE(delay, last);
    last = delay;
  }
  EXPECT_EQ(last, std::chrono::nanoseconds::max());
}

}  // namespace
}  // namespace vipd::monitor
