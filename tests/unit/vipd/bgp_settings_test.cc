#include "vipd/bgp_settings.h"

#include <gtest/gtest.h>

#include <string>

#include "config/loader.h"

namespace vipd {
namespace {

config::Config load(const std::string& text, bool pybal = false) {
  auto loaded =
      pybal ? config::parsePybalConfig(text, "t.conf") : config::parseNativeConfig(text, "t.json");
  EXPECT_TRUE(loaded.has_value());
  return loaded ? loaded->config : config::Config{};
}

IpAddress ip(const char* text) {
  return *IpAddress::parse(text);
}

const char* const kNative = R"({"vipd:config": {
  "global": {"bgp": {
    "enabled": true, "local-as": 64600, "listen": {"address": ["2001:db8::1", "192.0.2.1"]},
    "hold-down": 5, "withdraw-delay": 3, "drain-time": 20, "drain-on-stop": true,
    "shutdown-message": "bye", "graceful-restart": {"enabled": true, "restart-time": 60},
    "attributes": {"med": 10, "community": ["65000:1"], "next-hop-ipv4": "192.0.2.1"},
    "peer": [{"name": "cr1", "address": "192.0.2.254", "peer-as": 64512, "passive": true,
              "hold-time": 30, "md5-password": "pw", "ipv6-unicast": false,
              "attributes": {"as-path-prepend": 2}}]}},
  "service": [
    {"name": "web", "address": "192.0.2.10", "port": 80, "server": [{"host": "a"}],
     "bgp": {"min-healthy": "50%", "health-rule": "any-service", "peer": ["cr1"],
             "attributes": {"large-community": ["4200000001:1:1"], "local-pref": 200}}},
    {"name": "web-tls", "address": "192.0.2.10", "port": 443, "server": [{"host": "a"}],
     "bgp": {"min-healthy": "50%", "health-rule": "any-service", "peer": ["cr1"],
             "attributes": {"large-community": ["4200000001:1:1"], "local-pref": 200}}},
    {"name": "quiet", "address": "192.0.2.11", "port": 80, "server": [{"host": "a"}],
     "bgp": {"announce": false}},
    {"name": "marked", "fwmark": 7, "server": [{"host": "a"}],
     "bgp": {"prefix": ["198.51.100.0/24"], "min-healthy": 2}}
  ]}})";

TEST(BgpSettings, MapsTheSpeakerAndEachPeer) {
  const bgp::SpeakerSettings settings = speakerSettings(load(kNative));
  EXPECT_EQ(settings.local_as, 64600U);
  EXPECT_EQ(settings.router_id, 0xC0000201U);  // the first IPv4 listen address
  EXPECT_EQ(settings.listen_addresses.size(), 2U);
  EXPECT_EQ(settings.listen_port, 179);
  EXPECT_EQ(settings.hold_down, bgp::Seconds(5));
  EXPECT_EQ(settings.withdraw_delay, bgp::Seconds(3));
  EXPECT_EQ(settings.drain_time, bgp::Seconds(20));
  EXPECT_TRUE(settings.drain_on_stop);
  EXPECT_EQ(settings.shutdown_message, "bye");
  EXPECT_EQ(settings.graceful_restart,
            (bgp::GracefulRestartSettings{true, bgp::Seconds(60), true}));

  ASSERT_EQ(settings.peers.size(), 1U);
  const bgp::PeerSettings& peer = settings.peers[0];
  EXPECT_EQ(peer.name, "cr1");
  EXPECT_EQ(peer.address, ip("192.0.2.254"));
  EXPECT_EQ(peer.peer_as, 64512U);
  EXPECT_TRUE(peer.passive);
  EXPECT_EQ(peer.hold_time, bgp::Seconds(30));
  EXPECT_EQ(peer.connect_retry_time, bgp::Seconds(120));
  EXPECT_EQ(peer.md5_password, "pw");
  EXPECT_EQ(peer.families, (bgp::Families{true, false}));
  EXPECT_EQ(peer.attributes.prepend_local_as, 2U);
}

TEST(BgpSettings, MapsTheGlobalAttributes) {
  const bgp::RouteAttributes attributes = globalAttributes(load(kNative));
  EXPECT_EQ(attributes.med, 10U);
  EXPECT_EQ(attributes.communities, std::vector<bgp::Community>{bgp::Community::of(65000, 1)});
  EXPECT_EQ(attributes.next_hop_ipv4, ip("192.0.2.1"));
  EXPECT_FALSE(attributes.next_hop_ipv6.has_value());
}

TEST(BgpSettings, GroupsServicesByVipAndGivesFwmarkServicesTheirPrefixes) {
  const config::Config config = load(kNative);
  const std::vector<bgp::VipPolicy> vips = vipPolicies(config);
  ASSERT_EQ(vips.size(), 3U);

  const bgp::VipPolicy& web = vips[0];
  EXPECT_EQ(web.name, "192.0.2.10");
  EXPECT_EQ(web.prefixes, std::vector<bgp::Prefix>{*bgp::Prefix::parse("192.0.2.10/32")});
  EXPECT_EQ(web.rule, bgp::HealthRule::AnyService);
  EXPECT_EQ(web.min_healthy, (bgp::MinHealthy{bgp::MinHealthy::Kind::Percent, 50}));
  EXPECT_EQ(web.peers, std::vector<std::string>{"cr1"});
  EXPECT_EQ(web.attributes.local_pref, 200U);
  EXPECT_EQ(web.attributes.large_communities,
            (std::vector<bgp::LargeCommunity>{{4200000001, 1, 1}}));
  EXPECT_TRUE(web.announce);

  EXPECT_EQ(vips[1].name, "192.0.2.11");
  EXPECT_FALSE(vips[1].announce);

  const bgp::VipPolicy& marked = vips[2];
  EXPECT_EQ(marked.name, "marked");
  EXPECT_EQ(marked.prefixes, std::vector<bgp::Prefix>{*bgp::Prefix::parse("198.51.100.0/24")});
  EXPECT_EQ(marked.min_healthy, (bgp::MinHealthy{bgp::MinHealthy::Kind::Count, 2}));
  EXPECT_EQ(marked.rule, bgp::HealthRule::EveryService);

  const auto services = vipOfService(config);
  EXPECT_EQ(services.at("web"), "192.0.2.10");
  EXPECT_EQ(services.at("web-tls"), "192.0.2.10");
  EXPECT_EQ(services.at("marked"), "marked");
  EXPECT_FALSE(services.contains("quiet"));
}

TEST(BgpSettings, AnnouncesAnImportedPybalConfWithPybalsAttributesHealthGated) {
  const config::Config config = load(
      "[global]\nbgp = yes\nbgp-local-asn = 64600\n"
      "bgp-peer-address = [ '192.0.2.254', '2001:db8::fe' ]\nbgp-as-path = 64600 64601\n"
      "bgp-nexthop-ipv4 = 192.0.2.1\nbgp-nexthop-ipv6 = 2001:db8::1\n"
      "bgp-local-ips = [ '2001:db8::1', '192.0.2.2' ]\nbgp-local-port = 1179\n"
      "[s]\nprotocol = tcp\nip = 192.0.2.10\nport = 80\nconfig = file:///x\nbgp-med = 5\n",
      true);
  const bgp::SpeakerSettings settings = speakerSettings(config);
  EXPECT_EQ(settings.router_id, 0xC0000202U);  // the first IPv4 of bgp-local-ips
  EXPECT_EQ(settings.listen_port, 1179);
  ASSERT_EQ(settings.peers.size(), 2U);
  for (const bgp::PeerSettings& peer : settings.peers) {
    EXPECT_FALSE(peer.peer_as.has_value());  // whatever the OPEN carries
    EXPECT_EQ(peer.hold_time, bgp::Seconds(180));
    EXPECT_EQ(peer.connect_retry_time, bgp::Seconds(30));
  }
  EXPECT_EQ(settings.peers[0].local_address, ip("192.0.2.2"));
  EXPECT_EQ(settings.peers[1].local_address, ip("2001:db8::1"));

  const bgp::RouteAttributes global = globalAttributes(config);
  EXPECT_EQ(global.med, 0U);
  EXPECT_EQ(global.as_path, (std::vector<std::uint32_t>{64600, 64601}));
  EXPECT_EQ(global.next_hop_ipv6, ip("2001:db8::1"));

  const auto vips = vipPolicies(config);
  ASSERT_EQ(vips.size(), 1U);
  EXPECT_EQ(vips[0].attributes.med, 5U);
  EXPECT_EQ(vips[0].min_healthy, (bgp::MinHealthy{bgp::MinHealthy::Kind::Count, 1}));
}

TEST(BgpSettings, LeavesTheRouterIdToTheDaemonWithoutAnyLocalIpv4) {
  const config::Config config = load(
      R"({"vipd:config": {"global": {"bgp": {"local-as": 1, "listen": {"address": ["::1"]}}}}})");
  EXPECT_FALSE(speakerSettings(config).router_id.has_value());
}

}  // namespace
}  // namespace vipd
