#include "monitor/random.h"

#include <algorithm>
#include <random>

namespace vipd::monitor {

namespace {

std::mt19937_64& generator() {
  // One thread runs every monitor (DESIGN.md), so one generator needs no lock.
  static std::mt19937_64 engine{std::random_device{}()};
  return engine;
}

}  // namespace

double randomUnit() {
  return std::uniform_real_distribution<double>(0.0, 1.0)(generator());
}

std::size_t randomIndex(std::size_t size) {
  if (size == 0) {
    return 0;
  }
  return std::uniform_int_distribution<std::size_t>(0, size - 1)(generator());
}

std::uint16_t random16() {
  return static_cast<std::uint16_t>(
      std::uniform_int_distribution<unsigned>(0, 0xffff)(generator()));
}

std::chrono::nanoseconds jitteredInterval(std::chrono::nanoseconds interval, double jitter,
                                          double unit) {
  const double clamped = std::clamp(jitter, 0.0, 1.0);
  const double factor = 1.0 - clamped + 2.0 * clamped * std::clamp(unit, 0.0, 1.0);
  const auto scaled = static_cast<double>(interval.count()) * factor;
  return std::chrono::nanoseconds(static_cast<std::int64_t>(scaled));
}

std::chrono::nanoseconds firstCheckDelay(std::chrono::nanoseconds interval,
                                         std::chrono::nanoseconds spread, double unit) {
  const auto window = std::max(std::min(interval, spread), std::chrono::nanoseconds(0));
  const auto scaled = static_cast<double>(window.count()) * std::clamp(unit, 0.0, 1.0);
  return std::chrono::nanoseconds(static_cast<std::int64_t>(scaled));
}

}  // namespace vipd::monitor
