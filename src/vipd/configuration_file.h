// Reading the configuration file in the format vipd was started with (native JSON or PyBal's
// pybal.conf), with the checks of --check-config. Shared by the command line and by the
// control plane's `configure check` and `configure`, so that both judge a file alike.
#pragma once

#include <expected>
#include <filesystem>
#include <string>

#include "config/diagnostic.h"
#include "config/loader.h"
#include "vipd/options.h"

namespace vipd {

// The configuration, validated; or every problem found, each with its file and line.
std::expected<config::Loaded, config::Diagnostics> loadConfiguration(
    Options::Format format, const std::filesystem::path& file);

// The problems of the file:// server lists the configuration names (each is read once).
config::Diagnostics checkServerLists(const config::Config& config);

// The configuration and its server lists together, as --check-config judges them.
std::expected<config::Loaded, config::Diagnostics> checkConfiguration(
    Options::Format format, const std::filesystem::path& file);

// One diagnostic a line, as vipd prints them on stderr.
std::string formatDiagnostics(const config::Diagnostics& diagnostics);

std::string_view formatName(Options::Format format);  // "native", "pybal"

}  // namespace vipd
