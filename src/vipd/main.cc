// vipd's entry point: the command line, the configuration, then the daemon.
#include <cstdio>
#include <iostream>
#include <span>

#include "common/log.h"
#include "config/loader.h"
#include "config/server_list.h"
#include "vipd/daemon.h"
#include "vipd/file_limit.h"
#include "vipd/options.h"

namespace {

using vipd::config::Diagnostics;

constexpr int kExitInvalid = 1;
constexpr int kExitUsage = 2;

std::expected<vipd::config::Loaded, Diagnostics> load(const vipd::Options& options) {
  if (options.format == vipd::Options::Format::Pybal) {
    return vipd::config::loadPybalConfig(options.config_file);
  }
  return vipd::config::loadNativeConfig(options.config_file);
}

// --check-config also reads every file:// server list the configuration names.
Diagnostics checkServerLists(const vipd::config::Config& config) {
  Diagnostics errors;
  const auto base_dir = std::filesystem::path(config.source_file).parent_path();
  for (const auto& service : config.services) {
    if (!service.server_list) {
      continue;
    }
    const auto path = vipd::config::resolveServerListPath(service.server_list->url, base_dir);
    if (!path) {
      errors.push_back({vipd::config::Diagnostic::Severity::Error, config.source_file, std::nullopt,
                        "service " + service.name, path.error()});
      continue;
    }
    auto list = vipd::config::readServerList(*path);
    if (!list) {
      errors.insert(errors.end(), list.error().begin(), list.error().end());
    }
  }
  return errors;
}

void printDiagnostics(const Diagnostics& diagnostics) {
  for (const auto& diagnostic : diagnostics) {
    std::cerr << diagnostic.format() << '\n';
  }
}

int checkConfig(const vipd::config::Loaded& loaded) {
  const auto errors = checkServerLists(loaded.config);
  if (!errors.empty()) {
    printDiagnostics(errors);
    return kExitInvalid;
  }
  std::cout << loaded.normalized_json;
  if (!loaded.normalized_json.ends_with('\n')) {
    std::cout << '\n';
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const auto options =
      vipd::parseOptions(std::span<const char* const>(argv, static_cast<std::size_t>(argc)));
  if (!options) {
    std::cerr << "vipd: " << options.error() << "\n\n" << vipd::usageText();
    return kExitUsage;
  }
  if (options->show_help) {
    std::cout << vipd::usageText();
    return 0;
  }
  if (options->show_version) {
    std::cout << vipd::versionText();
    return 0;
  }

  auto loaded = load(*options);
  if (!loaded) {
    printDiagnostics(loaded.error());
    return kExitInvalid;
  }
  printDiagnostics(loaded->warnings);
  if (options->check_config) {
    return checkConfig(*loaded);
  }

  vipd::resolveAgainstConfig(*options, loaded->config.global);
  const auto& level = loaded->config.global.log_level;
  if (!vipd::log::setLevel(level)) {
    std::cerr << "vipd: unknown log level '" << level << "'\n";
    return kExitUsage;
  }
  vipd::prepareFileLimit(loaded->config);
  vipd::Daemon daemon(*options, std::move(*loaded));
  return daemon.run();
}
