// PyBal's server-list files: one Python dict literal per line
// ({'host': 'cp1001.example.net', 'weight': 10, 'enabled': True}, comments and blank lines
// allowed), or a JSON object host -> {"enabled": bool, "weight": int} for a .json file.
// Parsed by vipd's own safe parser; nothing is ever evaluated.
#pragma once

#include <expected>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostic.h"
#include "config/model.h"

namespace vipd::config {

enum class ServerListFormat { PythonLines, Json };

// The format a file name implies: .json is Json, anything else PythonLines.
ServerListFormat serverListFormatFor(const std::filesystem::path& file);

// All servers, or every error found (each naming `file` and its line).
std::expected<std::vector<ServerConfig>, Diagnostics> parseServerList(std::string_view text,
                                                                      ServerListFormat format,
                                                                      const std::string& file);

// Reads and parses a file:// URL's file.
std::expected<std::vector<ServerConfig>, Diagnostics> readServerList(
    const std::filesystem::path& file);

// The local path of a file: URL; an error for other schemes. file:///abs/path and
// file:/abs/path are absolute; file://servers.txt and file:servers.txt are relative (to the
// configuration file's folder: see resolveServerListPath).
std::expected<std::filesystem::path, std::string> filePathOfUrl(std::string_view url);

// filePathOfUrl, with a relative path taken from `config_dir`, the folder of the
// configuration file that names the URL.
std::expected<std::filesystem::path, std::string> resolveServerListPath(
    std::string_view url, const std::filesystem::path& config_dir);

}  // namespace vipd::config
