#include "monitor/random.h"

#include <gtest/gtest.h>

#include <vector>

namespace vipd::monitor {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

TEST(JitteredInterval, SpansIntervalTimesOneMinusToOnePlusJitter) {
  struct Case {
    double jitter;
    double unit;
    nanoseconds expected;
  };
  const std::vector<Case> cases = {
      {0.1, 0.0, milliseconds(900)},   {0.1, 0.5, milliseconds(1000)},
      {0.1, 1.0, milliseconds(1100)},  {0.0, 0.9, milliseconds(1000)},
      {1.0, 0.0, milliseconds(0)},     {2.0, 1.0, milliseconds(2000)},
      {-1.0, 0.0, milliseconds(1000)},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(jitteredInterval(milliseconds(1000), c.jitter, c.unit), c.expected)
        << "jitter " << c.jitter << " unit " << c.unit;
  }
}

TEST(FirstCheckDelay, SpansTheShorterOfIntervalAndSpread) {
  struct Case {
    nanoseconds interval;
    nanoseconds spread;
    double unit;
    nanoseconds expected;
  };
  const std::vector<Case> cases = {
      {milliseconds(1000), milliseconds(1000), 0.0, milliseconds(0)},
      {milliseconds(1000), milliseconds(1000), 0.5, milliseconds(500)},
      {milliseconds(10000), milliseconds(1000), 0.5, milliseconds(500)},
      {milliseconds(200), milliseconds(1000), 0.5, milliseconds(100)},
      {milliseconds(200), milliseconds(1000), 2.0, milliseconds(200)},
      {milliseconds(200), milliseconds(1000), -1.0, milliseconds(0)},
      {milliseconds(0), milliseconds(1000), 0.5, milliseconds(0)},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(firstCheckDelay(c.interval, c.spread, c.unit), c.expected)
        << "interval " << c.interval.count() << " unit " << c.unit;
  }
}

TEST(Random, DrawsStayInRange) {
  for (int i = 0; i < 1000; ++i) {
    const double unit = randomUnit();
    EXPECT_GE(unit, 0.0);
    EXPECT_LT(unit, 1.0);
    EXPECT_LT(randomIndex(3), 3U);
  }
  EXPECT_EQ(randomIndex(0), 0U);
}

TEST(Random, JitteredDrawsSpreadOverTheWholeRange) {
  bool low = false;
  bool high = false;
  for (int i = 0; i < 1000; ++i) {
    const auto delay = jitteredInterval(milliseconds(1000), 0.5, randomUnit());
    EXPECT_GE(delay, milliseconds(500));
    EXPECT_LE(delay, milliseconds(1500));
    low = low || delay < milliseconds(750);
    high = high || delay > milliseconds(1250);
  }
  EXPECT_TRUE(low);
  EXPECT_TRUE(high);
}

}  // namespace
}  // namespace vipd::monitor
