// readInputFile: a configuration or server-list file read whole, refusing one larger than
// kMaxInputBytes before reading it.
#pragma once

#include <expected>
#include <filesystem>
#include <string>

#include "config/diagnostic.h"

namespace vipd::config {

std::expected<std::string, Diagnostic> readInputFile(const std::filesystem::path& file);

}  // namespace vipd::config
