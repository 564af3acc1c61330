#include "monitor/backoff.h"

#include <algorithm>

namespace vipd::monitor {

Backoff::Backoff(std::chrono::nanoseconds first, std::chrono::nanoseconds max)
    : first_(std::max(first, std::chrono::nanoseconds(1))), max_(std::max(max, first_)) {}

std::chrono::nanoseconds Backoff::next() {
  // Compared before doubling, so that a cap near the limit of the type cannot overflow.
  if (current_ == std::chrono::nanoseconds::zero()) {
    current_ = first_;
  } else {
    current_ = current_ >= max_ / 2 ? max_ : current_ * 2;
  }
  return std::min(current_, max_);
}

}  // namespace vipd::monitor
