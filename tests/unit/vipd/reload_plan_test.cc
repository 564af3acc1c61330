#include "vipd/reload_plan.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace vipd {
namespace {

config::ServiceConfig web() {
  config::ServiceConfig service;
  service.name = "web";
  service.vip = IpAddress::parse("192.0.2.10");
  service.port = 80;
  service.servers = {{"web1", std::nullopt, 10, true}, {"web2", std::nullopt, 10, true}};
  config::MonitorConfig monitor;
  monitor.name = "tcp";
  service.monitors = {monitor};
  return service;
}

config::Config running() {
  config::Config config;
  config.source_file = "/etc/vipd/vipd.json";
  config.services = {web()};
  return config;
}

using Edit = std::function<void(config::Config&)>;

config::ServiceConfig& first(config::Config& config) {
  return config.services.front();
}

struct Case {
  std::string name;
  Edit edit;
  std::vector<std::string> applied;
  std::vector<std::string> needs_restart;
};

std::vector<Case> cases() {
  return {
      {"nothing", [](auto&) {}, {}, {}},
      {"server added",
       [](auto& c) {
         first(c).servers.push_back({"web3", std::nullopt, 10, true});
       },
       {"service web: servers"},
       {}},
      {"server reweighted and disabled",
       [](auto& c) {
         first(c).servers[0].weight = 5;
         first(c).servers[1].enabled = false;
       },
       {"service web: servers"},
       {}},
      {"threshold and scheduler",
       [](auto& c) {
         first(c).depool_threshold = 0.7;
         first(c).scheduler = "wlc";
       },
       {"service web: depool threshold, scheduler"},
       {}},
      {"persistence",
       [](auto& c) { first(c).persistence_timeout = 300; },
       {"service web: persistence"},
       {}},
      {"monitor changed",
       [](auto& c) { first(c).monitors[0].rise = 3; },
       {},
       {"service web: monitors"}},
      {"monitor changed with a server edit",
       [](auto& c) {
         first(c).monitors[0].interval = config::Seconds(2);
         first(c).servers.pop_back();
       },
       {"service web: servers"},
       {"service web: monitors"}},
      {"port changed",
       [](auto& c) { first(c).port = 8080; },
       {},
       {"service web: protocol, VIP, port, fwmark or forwarding method (the service runs "
        "unchanged until vipd restarts)"}},
      {"protocol and servers changed: the identity wins",
       [](auto& c) {
         first(c).protocol = config::Protocol::Udp;
         first(c).servers.clear();
       },
       {},
       {"service web: protocol, VIP, port, fwmark or forwarding method (the service runs "
        "unchanged until vipd restarts)"}},
      {"service added",
       [](auto& c) {
         auto mail = web();
         mail.name = "mail";
         mail.port = 25;
         c.services.push_back(mail);
       },
       {"service mail: added"},
       {}},
      {"service removed", [](auto& c) { c.services.clear(); }, {"service web: removed"}, {}},
      {"log level", [](auto& c) { c.global.log_level = "debug"; }, {"log level info -> debug"}, {}},
      {"control socket and instrumentation",
       [](auto& c) {
         c.global.control_socket = "/tmp/other.ctl";
         c.global.instrumentation.enabled = true;
       },
       {},
       {"global: control socket, instrumentation"}},
      {"bgp peers",
       [](auto& c) { c.global.bgp.enabled = true; },
       {},
       {"global: bgp global settings or peers"}},
      {"state file",
       [](auto& c) { c.global.state_file = "/tmp/s.json"; },
       {},
       {"global: other global settings"}},
  };
}

TEST(ReloadPlan, SaysWhatAppliesLiveAndWhatNeedsARestart) {
  for (const auto& test : cases()) {
    SCOPED_TRACE(test.name);
    auto next = running();
    test.edit(next);
    const auto plan = planReload(running(), next);
    EXPECT_EQ(plan.applied, test.applied);
    EXPECT_EQ(plan.needs_restart, test.needs_restart);
  }
}

TEST(ReloadPlan, EffectiveConfigurationKeepsWhatWaitsForARestart) {
  auto next = running();
  first(next).monitors[0].rise = 3;
  first(next).servers.pop_back();
  next.global.control_socket = "/tmp/other.ctl";
  next.global.log_level = "warn";

  const auto plan = planReload(running(), next);
  EXPECT_EQ(plan.updated, std::vector<std::string>{"web"});
  const auto& service = plan.effective.services.front();
  EXPECT_EQ(service.servers.size(), 1u);
  EXPECT_EQ(service.monitors, running().services.front().monitors);
  EXPECT_EQ(plan.effective.global.control_socket, running().global.control_socket);
  EXPECT_EQ(plan.effective.global.log_level, "warn");
  EXPECT_TRUE(plan.log_level_changed);
}

TEST(ReloadPlan, AddedAndRemovedServicesAreListedAndChangeTheAnnouncements) {
  auto next = running();
  next.services.front().name = "www";
  const auto plan = planReload(running(), next);
  EXPECT_EQ(plan.added, std::vector<std::string>{"www"});
  EXPECT_EQ(plan.removed, std::vector<std::string>{"web"});
  EXPECT_TRUE(plan.announce_changed);
  ASSERT_EQ(plan.effective.services.size(), 1u);
  EXPECT_EQ(plan.effective.services.front().name, "www");
}

TEST(ReloadPlan, ServiceWithANewIdentityRunsAsBefore) {
  auto next = running();
  first(next).port = 8080;
  first(next).servers.clear();
  const auto plan = planReload(running(), next);
  EXPECT_TRUE(plan.updated.empty());
  EXPECT_EQ(plan.effective.services.front(), running().services.front());
}

TEST(ReloadPlan, SummaryListsAppliedChangesFirst) {
  auto next = running();
  first(next).monitors[0].rise = 3;
  first(next).servers.pop_back();
  EXPECT_EQ(planReload(running(), next).summary(),
            "applied: service web: servers\nneeds a restart: service web: monitors");
  EXPECT_EQ(planReload(running(), running()).summary(), "nothing changed");
}

}  // namespace
}  // namespace vipd
