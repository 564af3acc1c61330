// Backoff: the delays between reconnect attempts (pure, no time source). The first delay is
// `first`; each later one doubles, up to `max`. reset() after a success starts over.
#pragma once

#include <chrono>

namespace vipd::monitor {

class Backoff {
 public:
  Backoff(std::chrono::nanoseconds first, std::chrono::nanoseconds max);

  // The delay before the next attempt; each call moves one step further.
  std::chrono::nanoseconds next();
  void reset() { current_ = std::chrono::nanoseconds::zero(); }

 private:
  std::chrono::nanoseconds first_;
  std::chrono::nanoseconds max_;
  std::chrono::nanoseconds current_{0};
};

}  // namespace vipd::monitor
