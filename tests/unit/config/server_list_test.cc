#include "config/server_list.h"

#include <gtest/gtest.h>

#include <string>

#include "test_files.h"

namespace vipd::config {
namespace {

using testing::dataDir;

TEST(ServerList, ReadsPyBalsLineFormatWithDefaultsAndComments) {
  const auto servers = readServerList(dataDir() / "servers.txt");
  ASSERT_TRUE(servers.has_value()) << servers.error().at(0).format();
  const std::vector<ServerConfig> expected = {
      {"cp1001.example.net", std::nullopt, 10, true},
      {"cp1002.example.net", std::nullopt, 20, false},
      {"cp1003.example.net", std::nullopt, 10, true},
      {"192.0.2.31", std::nullopt, 10, true},
  };
  EXPECT_EQ(*servers, expected);
}

TEST(ServerList, ReadsTheJsonForm) {
  const auto servers = readServerList(dataDir() / "servers.json");
  ASSERT_TRUE(servers.has_value()) << servers.error().at(0).format();
  ASSERT_EQ(servers->size(), 3U);
  EXPECT_EQ((*servers)[1], (ServerConfig{"cp1002.example.net", std::nullopt, 20, false}));
  EXPECT_EQ((*servers)[2], (ServerConfig{"cp1003.example.net", std::nullopt, 10, true}));
}

TEST(ServerList, ReportsEveryBadLineWithItsNumber) {
  const auto servers = readServerList(dataDir() / "servers_bad.txt");
  ASSERT_FALSE(servers.has_value());
  const Diagnostics& errors = servers.error();
  const std::vector<std::pair<int, std::string>> expected = {
      {2, "is a name, not a literal"},
      {3, "'weight' is a string, expected a whole number in 0..65535"},
      {4, "the dict has no 'host'"},
      {5, "listed twice: first at line 1, again at line 5"},
      {6, "expected a dict"},
      {7, "'enabled' is a whole number, expected True or False"},
      {8, "expected a whole number in 0..65535"},
      {9, "column 32: not a Python dict literal"},
  };
  ASSERT_EQ(errors.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(errors[i].line, expected[i].first) << errors[i].format();
    EXPECT_NE(errors[i].message.find(expected[i].second), std::string::npos) << errors[i].format();
    EXPECT_NE(errors[i].file.find("servers_bad.txt"), std::string::npos);
  }
}

TEST(ServerList, RejectsABinaryFileUpFront) {
  const auto servers = readServerList(dataDir() / "servers_binary.txt");
  ASSERT_FALSE(servers.has_value());
  ASSERT_EQ(servers.error().size(), 1U);
  EXPECT_EQ(servers.error()[0].line, 2);
  EXPECT_NE(servers.error()[0].message.find("not text"), std::string::npos);
}

TEST(ServerList, RejectsInvalidUtf8) {
  const auto servers =
      parseServerList("{'host': 'caf\xe9'}\n", ServerListFormat::PythonLines, "l.txt");
  ASSERT_FALSE(servers.has_value());
  EXPECT_NE(servers.error()[0].message.find("not valid UTF-8"), std::string::npos);
}

TEST(ServerList, RejectsALineOverSixtyFourKibibytesWithoutParsingIt) {
  const std::string text =
      "{'host': 'a'}\n{'host': '" + std::string(10 * 1024 * 1024, 'x') + "'}\n{'host': 'b'}\n";
  const auto servers = parseServerList(text, ServerListFormat::PythonLines, "big.txt");
  ASSERT_FALSE(servers.has_value());
  ASSERT_EQ(servers.error().size(), 1U);
  EXPECT_EQ(servers.error()[0].line, 2);
  EXPECT_NE(servers.error()[0].message.find("longer than 64 KiB"), std::string::npos);
}

TEST(ServerList, RejectsAFileOverSixteenMebibytes) {
  const std::string text(17 * 1024 * 1024, '#');
  const auto servers = parseServerList(text, ServerListFormat::PythonLines, "huge.txt");
  ASSERT_FALSE(servers.has_value());
  EXPECT_NE(servers.error()[0].message.find("larger than 16 MiB"), std::string::npos);
}

TEST(ServerList, AcceptsAnEmptyList) {
  const auto servers = parseServerList("\n# nothing yet\n", ServerListFormat::PythonLines, "e");
  ASSERT_TRUE(servers.has_value());
  EXPECT_TRUE(servers->empty());
}

TEST(ServerList, ReportsBadJsonEntriesWithTheirLines) {
  const auto servers = parseServerList(
      "{\n\"a\": {\"weight\": \"x\"},\n\"b\": {\"enabled\": 1},\n\"c d\": {},\n\"e\": 3\n}",
      ServerListFormat::Json, "l.json");
  ASSERT_FALSE(servers.has_value());
  ASSERT_EQ(servers.error().size(), 4U);
  EXPECT_EQ(servers.error()[0].line, 2);
  EXPECT_EQ(servers.error()[1].line, 3);
  EXPECT_EQ(servers.error()[2].line, 4);
  EXPECT_EQ(servers.error()[3].line, 5);
}

TEST(ServerList, RejectsATruncatedJsonList) {
  const auto servers =
      parseServerList("{\"a\": {\"weight\": 1},\n\"b\": {\"we", ServerListFormat::Json, "l.json");
  ASSERT_FALSE(servers.has_value());
  EXPECT_EQ(servers.error()[0].line, 2);
  EXPECT_NE(servers.error()[0].message.find("not closed"), std::string::npos);
}

TEST(ServerList, ChoosesTheFormatByTheFileName) {
  EXPECT_EQ(serverListFormatFor("/etc/pybal/pools/text.json"), ServerListFormat::Json);
  EXPECT_EQ(serverListFormatFor("/etc/pybal/pools/text"), ServerListFormat::PythonLines);
  EXPECT_EQ(serverListFormatFor("servers.txt"), ServerListFormat::PythonLines);
}

TEST(ServerList, ReportsAMissingFile) {
  const auto servers = readServerList(dataDir() / "absent.txt");
  ASSERT_FALSE(servers.has_value());
  EXPECT_NE(servers.error()[0].message.find("cannot read"), std::string::npos);
}

struct UrlCase {
  const char* url;
  const char* path;  // nullptr: an error
};

TEST(ServerList, MapsFileUrlsToPaths) {
  const UrlCase cases[] = {
      {"file:///etc/pybal/pools/text", "/etc/pybal/pools/text"},
      {"file:/etc/pybal/pools/text", "/etc/pybal/pools/text"},
      {"file://servers.txt", "servers.txt"},
      {"file:pools/servers.txt", "pools/servers.txt"},
      {"http://config-master/pools/text", nullptr},
      {"etcd://conf/pools/text", nullptr},
      {"file://", nullptr},
      {"file:///x?y=1", nullptr},
  };
  for (const UrlCase& c : cases) {
    const auto path = filePathOfUrl(c.url);
    if (c.path == nullptr) {
      EXPECT_FALSE(path.has_value()) << c.url;
    } else {
      ASSERT_TRUE(path.has_value()) << c.url << ": " << path.error();
      EXPECT_EQ(path->string(), c.path);
    }
  }
}

TEST(ServerList, ResolvesARelativeUrlAgainstTheConfigurationsFolder) {
  EXPECT_EQ(resolveServerListPath("file://servers.txt", "/etc/vipd")->string(),
            "/etc/vipd/servers.txt");
  EXPECT_EQ(resolveServerListPath("file:///srv/servers.txt", "/etc/vipd")->string(),
            "/srv/servers.txt");
  EXPECT_FALSE(resolveServerListPath("http://x/", "/etc/vipd").has_value());
}

}  // namespace
}  // namespace vipd::config
