// Every file under examples/ must load without an error: the configurations (native .json
// with a "vipd:config" member, PyBal .conf) and the server lists they name.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <set>
#include <string>

#include "config/loader.h"
#include "config/server_list.h"
#include "test_files.h"

namespace vipd::config {
namespace {

using testing::readFile;
using testing::sourceDir;

std::string allMessages(const Diagnostics& diagnostics) {
  std::string text;
  for (const Diagnostic& diagnostic : diagnostics) {
    text += diagnostic.format() + "\n";
  }
  return text;
}

bool isNativeConfig(const std::filesystem::path& file) {
  if (file.extension() != ".json") {
    return false;
  }
  boost::system::error_code error;
  const auto value = boost::json::parse(readFile(file), error);
  return !error && value.is_object() && value.get_object().contains("vipd:config");
}

// The loaded configuration's file: server lists, each read as the daemon would.
void checkServerLists(const Config& config, const std::filesystem::path& file,
                      std::set<std::filesystem::path>& read) {
  for (const ServiceConfig& service : config.services) {
    if (!service.server_list) {
      continue;
    }
    const auto path = resolveServerListPath(service.server_list->url, file.parent_path());
    ASSERT_TRUE(path.has_value()) << file << ": " << path.error();
    const auto servers = readServerList(*path);
    ASSERT_TRUE(servers.has_value()) << allMessages(servers.error());
    EXPECT_FALSE(servers->empty()) << *path;
    read.insert(std::filesystem::weakly_canonical(*path));
  }
}

TEST(Examples, EveryConfigurationAndServerListLoads) {
  std::set<std::filesystem::path> lists_read;
  std::set<std::filesystem::path> lists_found;
  int configurations = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(sourceDir() / "examples")) {
    const std::filesystem::path& file = entry.path();
    if (!entry.is_regular_file()) {
      continue;
    }
    if (file.extension() == ".conf" || isNativeConfig(file)) {
      const auto loaded =
          file.extension() == ".conf" ? loadPybalConfig(file) : loadNativeConfig(file);
      ASSERT_TRUE(loaded.has_value()) << allMessages(loaded.error());
      EXPECT_TRUE(loaded->warnings.empty()) << allMessages(loaded->warnings);
      checkServerLists(loaded->config, file, lists_read);
      ++configurations;
    } else if (file.extension() == ".txt" || file.extension() == ".json") {
      lists_found.insert(std::filesystem::weakly_canonical(file));
    }
  }
  EXPECT_GE(configurations, 3);
  // No server list lies about unused: each one is named by a configuration.
  EXPECT_EQ(lists_read, lists_found);
}

TEST(Examples, TheDemoIsTheDocumentedService) {
  const auto demo = sourceDir() / "examples" / "demo" / "vipd.json";
  const auto loaded = loadNativeConfig(demo);
  ASSERT_TRUE(loaded.has_value()) << allMessages(loaded.error());
  ASSERT_EQ(loaded->config.services.size(), 1U);
  const ServiceConfig& service = loaded->config.services[0];
  EXPECT_EQ(service.name, "demo-http");
  EXPECT_EQ(service.vip, IpAddress::parse("192.0.2.10"));
  EXPECT_EQ(service.port, 8080);
  EXPECT_EQ(service.scheduler, "wrr");
  EXPECT_DOUBLE_EQ(service.depool_threshold, 0.5);
  ASSERT_EQ(service.monitors.size(), 2U);
  const MonitorConfig& http = service.monitors[0];
  EXPECT_EQ(http.kind, MonitorKind::Http);
  EXPECT_DOUBLE_EQ(http.interval.count(), 1.0);
  EXPECT_DOUBLE_EQ(http.timeout.count(), 1.0);
  EXPECT_EQ(std::get<HttpParams>(http.params).urls,
            std::vector<std::string>{"http://demo.example/"});
  EXPECT_EQ(std::get<HttpParams>(http.params).http_status, 200U);
  EXPECT_EQ(service.monitors[1].kind, MonitorKind::IdleConnection);

  const auto path = resolveServerListPath(service.server_list->url, demo.parent_path());
  ASSERT_TRUE(path.has_value());
  const auto servers = readServerList(*path);
  ASSERT_TRUE(servers.has_value());
  ASSERT_EQ(servers->size(), 3U);
  EXPECT_EQ((*servers)[0].host, "127.0.0.11");
  EXPECT_EQ((*servers)[2].host, "127.0.0.13");
  EXPECT_FALSE((*servers)[0].port.has_value());  // the service's port, 8080
}

}  // namespace
}  // namespace vipd::config
