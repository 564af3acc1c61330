#include "vipd/configuration_file.h"

#include "config/server_list.h"

namespace vipd {

std::expected<config::Loaded, config::Diagnostics> loadConfiguration(
    Options::Format format, const std::filesystem::path& file) {
  if (format == Options::Format::Pybal) {
    return config::loadPybalConfig(file);
  }
  return config::loadNativeConfig(file);
}

config::Diagnostics checkServerLists(const config::Config& config) {
  config::Diagnostics errors;
  const auto base_dir = std::filesystem::path(config.source_file).parent_path();
  for (const auto& service : config.services) {
    if (!service.server_list) {
      continue;
    }
    const auto path = config::resolveServerListPath(service.server_list->url, base_dir);
    if (!path) {
      errors.push_back({config::Diagnostic::Severity::Error, config.source_file, std::nullopt,
                        "service " + service.name, path.error()});
      continue;
    }
    auto list = config::readServerList(*path);
    if (!list) {
      errors.insert(errors.end(), list.error().begin(), list.error().end());
    }
  }
  return errors;
}

std::expected<config::Loaded, config::Diagnostics> checkConfiguration(
    Options::Format format, const std::filesystem::path& file) {
  auto loaded = loadConfiguration(format, file);
  if (!loaded) {
    return loaded;
  }
  auto errors = checkServerLists(loaded->config);
  if (!errors.empty()) {
    return std::unexpected(std::move(errors));
  }
  return loaded;
}

std::string formatDiagnostics(const config::Diagnostics& diagnostics) {
  std::string out;
  for (const auto& diagnostic : diagnostics) {
    out += diagnostic.format() + "\n";
  }
  return out;
}

std::string_view formatName(Options::Format format) {
  return format == Options::Format::Pybal ? "pybal" : "native";
}

}  // namespace vipd
