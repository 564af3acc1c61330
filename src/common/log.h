// One spdlog logger per module ("bgp", "ipvs", "monitor", "pool", "config", "control",
// "vipd"), all writing to stderr so that stdout stays free for --dry-run output.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string_view>

namespace vipd::log {

// The logger of a module, created on first use with the current level.
std::shared_ptr<spdlog::logger> get(std::string_view module);

// Sets the level of every module's logger, present and future. Returns false for a name
// that is not one of spdlog's levels (trace debug info warn error critical off).
bool setLevel(std::string_view level);

}  // namespace vipd::log
