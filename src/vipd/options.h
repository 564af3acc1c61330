// The command line of vipd. These spellings are an interface other tools rely on:
//   vipd --config FILE | --pybal-config FILE  [--check-config] [--dry-run]
//        [--log-level LEVEL] [--state-file PATH] [--ipvs-redump-interval SECONDS]
//        [--control-socket PATH]
//   vipd --version | --help
#pragma once

#include <chrono>
#include <expected>
#include <optional>
#include <span>
#include <string>

#include "config/model.h"

namespace vipd {

struct Options {
  enum class Format { Native, Pybal };

  std::string config_file;
  Format format = Format::Native;
  bool check_config = false;
  bool dry_run = false;
  bool show_version = false;
  bool show_help = false;
  // Each of these is set only when given, and then wins over the configuration's
  // (resolveAgainstConfig()).
  std::optional<std::string> log_level;
  // The IPVS services vipd owns, kept across restarts (not read nor written with --dry-run).
  std::optional<std::string> state_file;
  // How often the kernel's table is dumped again to repair drift; 0: never.
  std::optional<std::chrono::seconds> ipvs_redump_interval;
  // The control socket vipc talks to (the configuration's control-socket).
  std::optional<std::string> control_socket;
};

// The options, or a usage error in words (vipd prints it with the usage and exits 2).
std::expected<Options, std::string> parseOptions(std::span<const char* const> args);

// The configuration's global settings with the options given on the command line put in
// their place: what the daemon runs with.
void resolveAgainstConfig(const Options& options, config::Global& global);

std::string usageText();
std::string versionText();

}  // namespace vipd
