// vipd's entry point: the command line, the configuration, then the daemon.
#include <cstdio>
#include <iostream>
#include <span>

#include "common/log.h"
#include "config/loader.h"
#include "vipd/configuration_file.h"
#include "vipd/daemon.h"
#include "vipd/file_limit.h"
#include "vipd/options.h"

namespace {

using vipd::config::Diagnostics;

constexpr int kExitInvalid = 1;
constexpr int kExitUsage = 2;

void printDiagnostics(const Diagnostics& diagnostics) {
  std::cerr << vipd::formatDiagnostics(diagnostics);
}

int checkConfig(const vipd::config::Loaded& loaded) {
  const auto errors = vipd::checkServerLists(loaded.config);
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

  auto loaded = vipd::loadConfiguration(options->format, options->config_file);
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
