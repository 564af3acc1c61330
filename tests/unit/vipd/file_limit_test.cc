#include "vipd/file_limit.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace vipd {
namespace {

config::MonitorConfig monitorOf(config::MonitorParams params) {
  config::MonitorConfig monitor;
  monitor.kind = static_cast<config::MonitorKind>(params.index());
  monitor.params = std::move(params);
  return monitor;
}

config::ServiceConfig serviceWith(std::size_t inline_servers) {
  config::ServiceConfig service;
  service.name = "web";
  for (std::size_t i = 0; i < inline_servers; ++i) {
    service.servers.push_back({"192.0.2." + std::to_string(i + 1), std::nullopt, 10, true});
  }
  return service;
}

TEST(FileLimit, NeedsASocketPerServerAndMonitorAndOnePerUrlWithCheckAll) {
  config::Config config;
  const std::uint64_t reserve = descriptorsNeeded(config);

  auto plain = serviceWith(3);
  plain.monitors.push_back(monitorOf(config::IdleConnectionParams{}));
  config::HttpParams http;
  http.urls = {"http://a.test/", "http://b.test/"};
  plain.monitors.push_back(monitorOf(http));  // one URL at a time
  config.services.push_back(plain);
  EXPECT_EQ(descriptorsNeeded(config), reserve + 3 * 2);

  auto all = serviceWith(2);
  http.check_all = true;
  all.monitors.push_back(monitorOf(http));  // both URLs at once
  config.services.push_back(all);
  EXPECT_EQ(descriptorsNeeded(config), reserve + 3 * 2 + 2 * 2);
}

TEST(FileLimit, CountsTheServersOfAFileList) {
  const auto folder =
      std::filesystem::temp_directory_path() / ("vipd-file-limit-" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  {
    std::ofstream list(folder / "servers.txt");
    for (int i = 1; i <= 5; ++i) {
      list << "{'host': '198.51.100." << i << "', 'weight': 10, 'enabled': True}\n";
    }
  }
  config::Config config;
  config.source_file = (folder / "vipd.json").string();
  const std::uint64_t reserve = descriptorsNeeded(config);

  auto service = serviceWith(1);
  service.monitors.push_back(monitorOf(config::IdleConnectionParams{}));
  service.server_list = config::ServerListSource{"file://servers.txt"};
  config.services.push_back(service);
  EXPECT_EQ(descriptorsNeeded(config), reserve + 6);

  // A list that cannot be read counts as empty.
  config.services[0].server_list = config::ServerListSource{"file://absent.txt"};
  EXPECT_EQ(descriptorsNeeded(config), reserve + 1);
  std::filesystem::remove_all(folder);
}

TEST(FileLimit, RaisesTheSoftLimitToTheHardOne) {
  rlimit before{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &before), 0);
  if (before.rlim_max > 64) {
    rlimit lowered = before;
    lowered.rlim_cur = 64;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
  }
  const auto limit = raiseFileLimit();
  ASSERT_TRUE(limit.has_value()) << limit.error();
  EXPECT_EQ(limit->soft, before.rlim_max);
  EXPECT_EQ(limit->hard, before.rlim_max);
  rlimit after{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &after), 0);
  EXPECT_EQ(after.rlim_cur, before.rlim_max);
  ::setrlimit(RLIMIT_NOFILE, &before);
}

}  // namespace
}  // namespace vipd
