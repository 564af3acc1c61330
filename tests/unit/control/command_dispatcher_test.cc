#include "control/command_dispatcher.h"

#include <gtest/gtest.h>

#include "fake_daemon_view.h"
#include "socket_client.h"

namespace vipd::control {
namespace {

using testing::FakeDaemonView;
using testing::request;

struct WriteVector {
  const char* name;
  std::function<void(Request&)> set;
  bool write;
};

TEST(CommandDispatcher, TellsWriteCommandsFromShowCommands) {
  const std::vector<WriteVector> vectors = {
      {"show status", [](Request& r) { r.mutable_show_status(); }, false},
      {"show services", [](Request& r) { r.mutable_show_services(); }, false},
      {"show servers", [](Request& r) { r.mutable_show_servers(); }, false},
      {"show monitors", [](Request& r) { r.mutable_show_monitors(); }, false},
      {"show ipvs", [](Request& r) { r.mutable_show_ipvs(); }, false},
      {"show protocols", [](Request& r) { r.mutable_show_protocols(); }, false},
      {"show route", [](Request& r) { r.mutable_show_route(); }, false},
      {"configure check", [](Request& r) { r.mutable_configure_check(); }, true},
      {"configure", [](Request& r) { r.mutable_configure(); }, true},
      {"disable server", [](Request& r) { r.mutable_set_server_enabled(); }, true},
      {"disable protocol", [](Request& r) { r.mutable_set_protocol_enabled(); }, true},
      {"restart protocol", [](Request& r) { r.mutable_restart_protocol(); }, true},
      {"announce vip", [](Request& r) { r.mutable_hold_vip(); }, true},
      {"undrain", [](Request& r) { r.mutable_drain(); }, true},
      {"down", [](Request& r) { r.mutable_down(); }, true},
  };
  for (const auto& vector : vectors) {
    auto message = request();
    vector.set(message);
    EXPECT_EQ(CommandDispatcher::isWriteCommand(message), vector.write) << vector.name;
    EXPECT_EQ(CommandDispatcher::commandName(message), vector.name);
  }
}

TEST(CommandDispatcher, AnUnknownServiceIsNotFound) {
  FakeDaemonView view;
  CommandDispatcher dispatcher(view);
  auto show = request();
  show.mutable_show_servers()->set_service("mail");
  const auto frames = dispatcher.dispatch(show, {}, false);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].result().code(), RESULT_NOT_FOUND);
}

TEST(CommandDispatcher, ShowServersCarriesTheServersAndShowServicesDoesNot) {
  FakeDaemonView view;
  CommandDispatcher dispatcher(view);
  auto servers = request();
  servers.mutable_show_servers()->set_service("web");
  const auto with = dispatcher.dispatch(servers, {}, false);
  ASSERT_EQ(with.size(), 2u);
  EXPECT_EQ(with[0].service().server_list_size(), 2);
  auto services = request();
  services.mutable_show_services();
  EXPECT_EQ(dispatcher.dispatch(services, {}, false)[0].service().server_list_size(), 0);
}

TEST(CommandDispatcher, ShowRouteMatchesAVipWithoutItsPrefixLength) {
  FakeDaemonView view;
  CommandDispatcher dispatcher(view);
  auto show = request();
  show.mutable_show_route()->set_vip("192.0.2.53");
  const auto frames = dispatcher.dispatch(show, {}, false);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].route().prefix(), "192.0.2.53/32");
  EXPECT_TRUE(frames[0].route().operator_hold());
}

TEST(CommandDispatcher, AServerWithoutPortMeansAnyPort) {
  FakeDaemonView view;
  CommandDispatcher dispatcher(view);
  auto enable = request();
  enable.mutable_set_server_enabled()->set_service("web");
  enable.mutable_set_server_enabled()->set_host("web1.example.org");
  enable.mutable_set_server_enabled()->set_enabled(true);
  const auto frames = dispatcher.dispatch(enable, {1000, 1000, 42}, false);
  EXPECT_EQ(frames.back().result().code(), RESULT_OK);
  ASSERT_EQ(view.calls().size(), 1u);
  EXPECT_EQ(view.calls()[0].argument, "web web1.example.org");
  EXPECT_EQ(view.calls()[0].caller.pid, 42);
}

TEST(CommandDispatcher, APortOutOfRangeFailsWithoutCallingTheDaemon) {
  FakeDaemonView view;
  CommandDispatcher dispatcher(view);
  auto enable = request();
  enable.mutable_set_server_enabled()->set_port(70000);
  EXPECT_EQ(dispatcher.dispatch(enable, {}, false).back().result().code(), RESULT_FAILED);
  EXPECT_TRUE(view.calls().empty());
}

TEST(CommandDispatcher, ARefusalOfTheDaemonIsAFailureWithItsReason) {
  FakeDaemonView view;
  CommandDispatcher dispatcher(view);
  auto check = request();
  check.mutable_configure_check()->set_file("/bad.yaml");
  const auto frames = dispatcher.dispatch(check, {}, false);
  EXPECT_EQ(frames.back().result().code(), RESULT_FAILED);
  EXPECT_EQ(frames.back().result().message(), "/bad.yaml:3: unknown key 'servcies'");
}

TEST(CommandDispatcher, ShowStatusStampsTheCurrentTime) {
  FakeDaemonView view;
  CommandDispatcher dispatcher(view, [] { return testing::fixedTime(300); });
  auto show = request();
  show.mutable_show_status();
  const auto frames = dispatcher.dispatch(show, {}, false);
  EXPECT_DOUBLE_EQ(frames[0].status().now(), 1700000300.0);
  EXPECT_DOUBLE_EQ(frames[0].status().config_loaded(), 1700000060.0);
}

}  // namespace
}  // namespace vipd::control
