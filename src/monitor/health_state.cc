#include "monitor/health_state.h"

#include <algorithm>

namespace vipd::monitor {

HealthState::HealthState(std::uint32_t rise, std::uint32_t fall)
    : rise_(std::max(rise, 1U)), fall_(std::max(fall, 1U)) {}

std::optional<Transition> HealthState::record(bool up) {
  const Verdict seen = up ? Verdict::Up : Verdict::Down;
  if (verdict_ == seen) {
    streak_ = 0;
    return std::nullopt;
  }

  // From Unknown the first result decides: the pool waits for it at start-up.
  ++streak_;
  const std::uint32_t needed = verdict_ == Verdict::Unknown ? 1 : (up ? rise_ : fall_);
  if (streak_ < needed) {
    return std::nullopt;
  }

  const Transition transition{verdict_, seen};
  verdict_ = seen;
  streak_ = 0;
  return transition;
}

void HealthState::reset() {
  verdict_ = Verdict::Unknown;
  streak_ = 0;
}

}  // namespace vipd::monitor
