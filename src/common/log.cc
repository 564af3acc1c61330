#include "common/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <string>

namespace vipd::log {

namespace {

spdlog::level::level_enum current_level = spdlog::level::info;

}  // namespace

std::shared_ptr<spdlog::logger> get(std::string_view module) {
  const std::string name(module);
  if (auto existing = spdlog::get(name)) {
    return existing;
  }
  auto logger = spdlog::stderr_color_st(name);
  logger->set_level(current_level);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ %n: %v");
  return logger;
}

bool setLevel(std::string_view level) {
  const auto parsed = spdlog::level::from_str(std::string(level));
  if (parsed == spdlog::level::off && level != "off") {
    return false;
  }
  current_level = parsed;
  spdlog::apply_all(
      [parsed](const std::shared_ptr<spdlog::logger>& logger) { logger->set_level(parsed); });
  return true;
}

}  // namespace vipd::log
