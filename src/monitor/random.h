// Randomness for the monitors: one process-wide generator, seeded once from the system. Not
// for anything secret; only for spreading checks and picking URLs, names and DNS ids.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace vipd::monitor {

// A uniform draw from [0, 1).
double randomUnit();

// A uniform index from [0, size); 0 when size is 0.
std::size_t randomIndex(std::size_t size);

// A uniform 16-bit value (DNS ids, ICMP identifiers).
std::uint16_t random16();

// The interval scaled by a factor drawn from [1 - jitter, 1 + jitter], with `unit` the draw
// from [0, 1). A jitter outside [0, 1] is clamped to it.
std::chrono::nanoseconds jitteredInterval(std::chrono::nanoseconds interval, double jitter,
                                          double unit);

// The delay of a scheduled monitor's first check after start(): `unit` (the draw from [0, 1))
// times the interval, or times `spread` when that is shorter.
std::chrono::nanoseconds firstCheckDelay(std::chrono::nanoseconds interval,
                                         std::chrono::nanoseconds spread, double unit);

}  // namespace vipd::monitor
