#include "cli/command_table.h"

#include <gtest/gtest.h>

namespace vipd::cli {
namespace {

struct ParseVector {
  std::string line;
  control::Request::CommandCase command;
};

TEST(CommandTable, ParsesEveryCommandAndItsAbbreviations) {
  using R = control::Request;
  const std::vector<ParseVector> vectors = {
      {"show status", R::kShowStatus},
      {"sh st", R::kShowStatus},
      {"sh servi", R::kShowServices},
      {"show services web", R::kShowServices},
      {"sh serve web", R::kShowServers},
      {"sh m", R::kShowMonitors},
      {"sh i", R::kShowIpvs},
      {"sh i st", R::kShowIpvs},
      {"sh pro", R::kShowProtocols},
      {"sh p a router1", R::kShowProtocols},
      {"sh ro", R::kShowRoute},
      {"show r 192.0.2.10", R::kShowRoute},
      {"conf check", R::kConfigureCheck},
      {"c c /etc/vipd/new.yaml", R::kConfigureCheck},
      {"configure", R::kConfigure},
      {"configure /etc/vipd/new.yaml", R::kConfigure},
      {"dis ser web web1", R::kSetServerEnabled},
      {"en s web web1:80", R::kSetServerEnabled},
      {"dis pro router1", R::kSetProtocolEnabled},
      {"enable protocol router1", R::kSetProtocolEnabled},
      {"res p router1", R::kRestartProtocol},
      {"w v 192.0.2.10", R::kHoldVip},
      {"an v 192.0.2.10", R::kHoldVip},
      {"dr", R::kDrain},
      {"u", R::kDrain},
      {"down", R::kDown},
  };
  const CommandTable table;
  for (const auto& vector : vectors) {
    const auto parsed = table.parse(vector.line);
    ASSERT_TRUE(parsed) << vector.line << ": " << parsed.error();
    EXPECT_EQ(parsed->request.command_case(), vector.command) << vector.line;
    EXPECT_EQ(parsed->request.version(), 1u);
  }
}

TEST(CommandTable, AnAmbiguousPrefixListsTheCandidates) {
  const CommandTable table;
  const auto parsed = table.parse("sh ser");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error(), "Ambiguous command `sh ser': could be servers, services");
  const auto first = table.parse("d");
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error(), "Ambiguous command `d': could be disable, down, drain");
}

TEST(CommandTable, AnUnknownOrIncompleteCommandSendsToHelp) {
  const CommandTable table;
  for (const auto* line : {"sh", "frobnicate", "show nothing", ""}) {
    const auto parsed = table.parse(line);
    ASSERT_FALSE(parsed) << line;
    EXPECT_EQ(parsed.error(), "No such command. Press `?' for help.") << line;
  }
}

TEST(CommandTable, MissingAndExtraArgumentsAreErrorsWithTheUsage) {
  const CommandTable table;
  const auto missing = table.parse("disable server web");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error(), "Missing HOST[:PORT]: disable server SERVICE HOST[:PORT]");
  const auto extra = table.parse("show status now");
  ASSERT_FALSE(extra);
  EXPECT_EQ(extra.error(), "Unexpected `now': show status");
}

TEST(CommandTable, FillsTheRequestsArguments) {
  const CommandTable table;
  const auto protocols = table.parse("sh pro all router1");
  ASSERT_TRUE(protocols);
  EXPECT_TRUE(protocols->request.show_protocols().all());
  EXPECT_EQ(protocols->request.show_protocols().peer(), "router1");
  const auto peer_only = table.parse("sh pro router1");
  ASSERT_TRUE(peer_only);
  EXPECT_FALSE(peer_only->request.show_protocols().all());
  EXPECT_EQ(peer_only->request.show_protocols().peer(), "router1");
  const auto withdraw = table.parse("withdraw vip 192.0.2.10");
  ASSERT_TRUE(withdraw);
  EXPECT_TRUE(withdraw->request.hold_vip().withdrawn());
  EXPECT_FALSE(table.parse("announce vip 192.0.2.10")->request.hold_vip().withdrawn());
  EXPECT_TRUE(table.parse("drain")->request.drain().drain());
  EXPECT_FALSE(table.parse("undrain")->request.drain().drain());
}

struct ServerVector {
  std::string argument;
  std::string host;
  std::uint32_t port;
};

TEST(CommandTable, SplitsHostAndPort) {
  const std::vector<ServerVector> vectors = {
      {"web1", "web1", 0},
      {"web1:8080", "web1", 8080},
      {"198.51.100.1:80", "198.51.100.1", 80},
      {"[2001:db8::1]:80", "2001:db8::1", 80},
      {"[2001:db8::1]", "2001:db8::1", 0},
      {"2001:db8::1", "2001:db8::1", 0},
  };
  const CommandTable table;
  for (const auto& vector : vectors) {
    const auto parsed = table.parse("disable server web " + vector.argument);
    ASSERT_TRUE(parsed) << vector.argument;
    EXPECT_EQ(parsed->request.set_server_enabled().host(), vector.host);
    EXPECT_EQ(parsed->request.set_server_enabled().port(), vector.port);
    EXPECT_FALSE(parsed->request.set_server_enabled().enabled());
  }
  EXPECT_FALSE(table.parse("enable server web web1:http"));
  EXPECT_FALSE(table.parse("enable server web web1:70000"));
}

std::vector<std::string> fakeNames(ArgumentKind kind, const std::string& service) {
  switch (kind) {
    case ArgumentKind::Service:
      return {"dns", "web"};
    case ArgumentKind::Server:
      return service == "web" ? std::vector<std::string>{"web1", "web2"}
                              : std::vector<std::string>{};
    case ArgumentKind::Peer:
      return {"router1", "router2"};
    default:
      return {};
  }
}

TEST(CommandTable, CompletesKeywordsAndNames) {
  const CommandTable table;
  using V = std::vector<std::string>;
  EXPECT_EQ(table.complete("sh", fakeNames), V{"show"});
  EXPECT_EQ(table.complete("show ser", fakeNames), (V{"servers", "services"}));
  EXPECT_EQ(table.complete("show servi", fakeNames), V{"services"});
  EXPECT_EQ(table.complete("sh servi ", fakeNames), (V{"dns", "web"}));
  EXPECT_EQ(table.complete("disable server web w", fakeNames), (V{"web1", "web2"}));
  EXPECT_EQ(table.complete("sh pro ", fakeNames), (V{"all", "router1", "router2"}));
  EXPECT_EQ(table.complete("sh pro all r", fakeNames), (V{"router1", "router2"}));
  EXPECT_EQ(table.complete("show ipvs ", fakeNames), V{"stats"});
  EXPECT_EQ(table.complete("", fakeNames).size(), 10u);
  EXPECT_TRUE(table.complete("frob ", fakeNames).empty());
}

TEST(CommandTable, HelpListsWhatTheLineMayBecome) {
  const CommandTable table;
  const auto shows = table.help("sh");
  EXPECT_EQ(shows.size(), 7u);
  const auto servers = table.help("sh ser");
  ASSERT_EQ(servers.size(), 2u);
  EXPECT_TRUE(servers[0].starts_with("show services [SERVICE]"));
  EXPECT_TRUE(servers[1].starts_with("show servers [SERVICE]"));
  EXPECT_EQ(table.help("").size(), table.commands().size());
}

}  // namespace
}  // namespace vipd::cli
