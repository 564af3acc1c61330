// Shared by the config tests: where the test data lives, and reading a file whole.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace vipd::config::testing {

inline std::filesystem::path dataDir() {
  return VIPD_CONFIG_TEST_DATA;
}
inline std::filesystem::path sourceDir() {
  return VIPD_SOURCE_DIR;
}

inline std::string readFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace vipd::config::testing
