// HealthState: the pure part of a monitor's verdict, driven by results alone (no time, no
// I/O), so that rise/fall counting can be tested on its own.
//
// The state starts Unknown. The first result decides at once (Unknown -> Up or Down), so that
// a server gets its first verdict from its first check. After that, `fall` consecutive
// failures take an Up server Down and `rise` consecutive successes take a Down server Up; a
// result that agrees with the verdict resets the opposite streak.
#pragma once

#include <cstdint>
#include <optional>

#include "monitor/monitor.h"

namespace vipd::monitor {

struct Transition {
  Verdict from = Verdict::Unknown;
  Verdict to = Verdict::Unknown;
};

class HealthState {
 public:
  // A rise or fall of 0 is taken as 1.
  HealthState(std::uint32_t rise, std::uint32_t fall);

  // Records one result; returns the transition when the verdict changes.
  std::optional<Transition> record(bool up);

  // Back to Unknown with no streak, as before the first result.
  void reset();

  Verdict verdict() const { return verdict_; }
  std::uint32_t streak() const { return streak_; }

 private:
  std::uint32_t rise_;
  std::uint32_t fall_;
  Verdict verdict_ = Verdict::Unknown;
  // Consecutive results that disagree with the verdict.
  std::uint32_t streak_ = 0;
};

}  // namespace vipd::monitor
