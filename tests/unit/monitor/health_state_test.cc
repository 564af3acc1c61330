#include "monitor/health_state.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vipd::monitor {
namespace {

struct Case {
  std::string name;
  std::uint32_t rise;
  std::uint32_t fall;
  std::string results;   // 'u' up, 'd' down, one per result
  std::string verdicts;  // after each result: '?' unknown, 'U' up, 'D' down
  std::string changes;   // after each result: '*' a transition was returned, '.' none
};

char letter(Verdict verdict) {
  switch (verdict) {
    case Verdict::Unknown:
      return '?';
    case Verdict::Up:
      return 'U';
    case Verdict::Down:
      return 'D';
  }
  return '!';
}

TEST(HealthState, FollowsRiseAndFallCounts) {
  const std::vector<Case> cases = {
      {"first up decides", 1, 1, "u", "U", "*"},
      {"first down decides", 1, 1, "d", "D", "*"},
      {"first result decides despite rise", 3, 3, "u", "U", "*"},
      {"first down decides despite fall", 3, 3, "d", "D", "*"},
      {"fall 1 flips at once", 1, 1, "ududd", "UDUDD", "****."},
      {"fall 3 needs three downs", 1, 3, "udddd", "UUUDD", "*..*."},
      {"an up resets the fall streak", 1, 3, "uddudd", "UUUUUU", "*....."},
      {"rise 2 needs two ups", 2, 1, "duudu", "DDUDD", "*.**."},
      {"a down resets the rise streak", 3, 1, "duuduuu", "DDDDDDU", "*.....*"},
      {"zero counts act as one", 0, 0, "udu", "UDU", "***"},
  };
  for (const Case& c : cases) {
    HealthState state(c.rise, c.fall);
    std::string verdicts;
    std::string changes;
    for (const char result : c.results) {
      const auto transition = state.record(result == 'u');
      verdicts.push_back(letter(state.verdict()));
      changes.push_back(transition ? '*' : '.');
    }
    EXPECT_EQ(verdicts, c.verdicts) << c.name;
    EXPECT_EQ(changes, c.changes) << c.name;
  }
}

TEST(HealthState, TransitionNamesBothEnds) {
  HealthState state(1, 2);
  const auto first = state.record(true);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->from, Verdict::Unknown);
  EXPECT_EQ(first->to, Verdict::Up);

  EXPECT_FALSE(state.record(false));
  EXPECT_EQ(state.streak(), 1U);
  const auto second = state.record(false);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->from, Verdict::Up);
  EXPECT_EQ(second->to, Verdict::Down);
}

TEST(HealthState, ResetReturnsToUnknown) {
  HealthState state(2, 2);
  state.record(false);
  state.reset();
  EXPECT_EQ(state.verdict(), Verdict::Unknown);
  const auto transition = state.record(true);
  ASSERT_TRUE(transition);
  EXPECT_EQ(transition->to, Verdict::Up);
}

}  // namespace
}  // namespace vipd::monitor
