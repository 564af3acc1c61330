#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "config/loader.h"
#include "test_files.h"

namespace vipd::config {
namespace {

using testing::dataDir;
using testing::readFile;

// A native document around one service's members, and optional global members.
std::string withService(const std::string& service_members, const std::string& global = "") {
  return "{\"vipd:config\": {" + (global.empty() ? "" : "\"global\": {" + global + "}, ") +
         "\"service\": [{\"name\": \"web\", " + service_members + "}]}}";
}

const std::string kServer = "\"server\": [{\"host\": \"a.example\"}]";
const std::string kVipAndServer = "\"address\": \"192.0.2.1\", \"port\": 80, " + kServer;

std::string allMessages(const Diagnostics& diagnostics) {
  std::string text;
  for (const Diagnostic& diagnostic : diagnostics) {
    text += diagnostic.format() + "\n";
  }
  return text;
}

void expectFullBgp(const BgpGlobal& bgp) {
  EXPECT_TRUE(bgp.enabled);
  EXPECT_EQ(bgp.local_as, 4200000001U);
  EXPECT_EQ(bgp.router_id, IpAddress::parse("192.0.2.1"));
  EXPECT_EQ(bgp.listen_addresses.size(), 2U);
  EXPECT_EQ(bgp.listen_port, 1179);
  EXPECT_EQ(bgp.hold_down, std::chrono::seconds(20));
  EXPECT_EQ(bgp.withdraw_delay, std::chrono::seconds(2));
  EXPECT_EQ(bgp.drain_time, std::chrono::seconds(60));
  EXPECT_TRUE(bgp.drain_on_stop);
  EXPECT_EQ(bgp.shutdown_message, "maintenance");
  EXPECT_TRUE(bgp.graceful_restart.enabled);
  EXPECT_EQ(bgp.graceful_restart.restart_time, std::chrono::seconds(240));
  EXPECT_TRUE(bgp.graceful_restart.forwarding_preserved);
  EXPECT_EQ(bgp.attributes.as_path, (std::vector<std::uint32_t>{64600, 64600}));
  EXPECT_EQ(bgp.attributes.communities, (std::vector<std::uint32_t>{65000U << 16 | 1, 0xFFFFFF01}));
  EXPECT_EQ(bgp.attributes.large_communities,
            (std::vector<LargeCommunityValue>{{4200000001, 1, 1}}));
  EXPECT_EQ(bgp.attributes.next_hop_ipv6, IpAddress::parse("2001:db8::1"));
  EXPECT_FALSE(bgp.attributes.med.has_value());

  ASSERT_EQ(bgp.peers.size(), 2U);
  const BgpPeer& cr1 = bgp.peers[0];
  EXPECT_EQ(cr1.name, "cr1");
  EXPECT_EQ(cr1.address, IpAddress::parse("192.0.2.254"));
  EXPECT_EQ(cr1.port, 179);
  EXPECT_EQ(cr1.peer_as, 64512U);
  EXPECT_EQ(cr1.local_address, IpAddress::parse("192.0.2.1"));
  EXPECT_EQ(cr1.hold_time, std::chrono::seconds(30));
  EXPECT_EQ(cr1.connect_retry_time, std::chrono::seconds(120));
  EXPECT_EQ(cr1.md5_password, "secret");
  EXPECT_EQ(cr1.ttl_security_hops, 1U);
  EXPECT_TRUE(cr1.ipv4_unicast);
  EXPECT_FALSE(cr1.ipv6_unicast);
  EXPECT_EQ(cr1.attributes.med, 50U);
  EXPECT_EQ(cr1.attributes.as_path_prepend, 2U);
  const BgpPeer& cr2 = bgp.peers[1];
  EXPECT_TRUE(cr2.passive);
  EXPECT_EQ(cr2.port, 1790);
  EXPECT_FALSE(cr2.peer_as.has_value());
  EXPECT_FALSE(cr2.ttl.has_value());
}

TEST(NativeLoader, LoadsAFullConfigurationIntoTheModel) {
  const auto loaded = loadNativeConfig(dataDir() / "good.json");
  ASSERT_TRUE(loaded.has_value()) << allMessages(loaded.error());
  const Config& config = loaded->config;
  EXPECT_EQ(config.origin, Origin::Native);
  EXPECT_EQ(config.global.log_level, "debug");
  EXPECT_EQ(config.global.control_socket, "/run/vipd/vipd.ctl");
  EXPECT_EQ(config.global.control_socket_group, "vipd-operators");
  EXPECT_EQ(config.global.control_socket_read_only, "/run/vipd/vipd-ro.ctl");
  EXPECT_EQ(config.global.state_file, "/srv/vipd/owned.json");
  EXPECT_EQ(config.global.ipvs.redump_interval, std::chrono::seconds(15));
  EXPECT_EQ(config.global.ipvs.timeouts, (IpvsTimeouts{900, std::nullopt, 60}));
  EXPECT_TRUE(config.global.instrumentation.enabled);
  EXPECT_EQ(config.global.instrumentation.port, 9191);
  ASSERT_EQ(config.global.instrumentation.addresses.size(), 2U);
  expectFullBgp(config.global.bgp);
  ASSERT_EQ(config.services.size(), 3U);

  const ServiceConfig& web = config.services[0];
  EXPECT_EQ(web.name, "web");
  EXPECT_EQ(web.vip, IpAddress::parse("192.0.2.10"));
  EXPECT_EQ(web.port, 80);
  EXPECT_EQ(web.scheduler, "sh");
  EXPECT_EQ(web.scheduler_flags, std::vector<std::string>{"sh-port"});
  EXPECT_EQ(web.persistence_timeout, 300U);
  EXPECT_EQ(web.persistence_netmask, "255.255.255.0");
  EXPECT_DOUBLE_EQ(web.depool_threshold, 0.6);
  EXPECT_EQ(web.depool_action, DepoolAction::Drain);
  ASSERT_EQ(web.monitors.size(), 2U);
  EXPECT_EQ(web.monitors[0].kind, MonitorKind::Http);
  EXPECT_DOUBLE_EQ(web.monitors[0].interval.count(), 2.0);
  EXPECT_DOUBLE_EQ(web.monitors[0].timeout.count(), 0.5);
  const auto& http = std::get<HttpParams>(web.monitors[0].params);
  EXPECT_EQ(http.urls.size(), 2U);
  EXPECT_EQ(http.http_status, 301U);
  const auto& idle = std::get<IdleConnectionParams>(web.monitors[1].params);
  EXPECT_DOUBLE_EQ(idle.max_delay.count(), 60.0);
  EXPECT_DOUBLE_EQ(idle.timeout_clean_reconnect.count(), 3.0);
  ASSERT_TRUE(web.server_list.has_value());
  EXPECT_EQ(web.server_list->url, "file://servers.txt");
  ASSERT_EQ(web.servers.size(), 2U);
  EXPECT_EQ(web.servers[0].weight, 20U);
  EXPECT_EQ(web.servers[1].port, 8080);
  EXPECT_FALSE(web.servers[1].enabled);
  EXPECT_EQ(web.announce.min_healthy, (MinHealthy{true, 50}));
  EXPECT_EQ(web.announce.health_rule, HealthRule::AnyService);
  EXPECT_EQ(web.announce.peers, std::vector<std::string>{"cr1"});
  EXPECT_EQ(web.announce.attributes.med, 0U);
  EXPECT_EQ(web.announce.attributes.local_pref, 200U);
  EXPECT_EQ(web.announce.attributes.communities, std::vector<std::uint32_t>{65000U << 16 | 80});

  const ServiceConfig& dns = config.services[1];
  EXPECT_EQ(dns.protocol, Protocol::Udp);
  EXPECT_EQ(dns.vip->toString(), "2001:db8::53");
  EXPECT_TRUE(dns.one_packet);
  EXPECT_DOUBLE_EQ(dns.depool_threshold, 0.5);
  EXPECT_TRUE(std::get<DnsParams>(dns.monitors[0].params).fail_on_nxdomain);
  EXPECT_DOUBLE_EQ(std::get<UdpParams>(dns.monitors[1].params).icmp_timeout.count(), 20.0);
  const auto& command = std::get<RunCommandParams>(dns.monitors[2].params);
  EXPECT_EQ(command.arguments, (std::vector<std::string>{"--host", "{host}"}));

  const ServiceConfig& marked = config.services[2];
  EXPECT_EQ(marked.fwmark, 7U);
  EXPECT_EQ(marked.fwmark_family, IpAddress::Family::V6);
  EXPECT_FALSE(marked.vip.has_value());
  EXPECT_EQ(marked.forwarding, Forwarding::Tunnel);
  EXPECT_TRUE(marked.announce.announce);
  EXPECT_EQ(marked.announce.prefixes,
            (std::vector<IpPrefix>{{*IpAddress::parse("2001:db8:7::"), 48}}));
  EXPECT_EQ(marked.announce.min_healthy, (MinHealthy{false, 2}));
  EXPECT_EQ(std::get<TcpParams>(marked.monitors[1].params).expect, "+PONG");
  EXPECT_EQ(std::get<IcmpParams>(marked.monitors[0].params).payload_size, 56U);
}

TEST(NativeLoader, FillsDefaultsOfAMinimalService) {
  const auto loaded = parseNativeConfig(
      withService("\"address\": \"192.0.2.1\", \"port\": 443, \"monitor\": [{\"name\": \"m\", "
                  "\"kind\": \"tcp\"}], " +
                  kServer),
      "min.json");
  ASSERT_TRUE(loaded.has_value()) << allMessages(loaded.error());
  const ServiceConfig& service = loaded->config.services.at(0);
  EXPECT_EQ(service.protocol, Protocol::Tcp);
  EXPECT_EQ(service.scheduler, "wrr");
  EXPECT_EQ(service.forwarding, Forwarding::DirectRouting);
  EXPECT_EQ(service.depool_action, DepoolAction::Remove);
  EXPECT_TRUE(service.announce.announce);
  const MonitorConfig& monitor = service.monitors.at(0);
  EXPECT_DOUBLE_EQ(monitor.interval.count(), 10.0);
  EXPECT_DOUBLE_EQ(monitor.timeout.count(), 5.0);
  EXPECT_DOUBLE_EQ(monitor.jitter, 0.1);
  EXPECT_EQ(monitor.rise, 1U);
  EXPECT_EQ(monitor.fall, 1U);
  EXPECT_EQ(service.servers.at(0).weight, 10U);
  EXPECT_TRUE(service.servers.at(0).enabled);
  const auto& addresses = loaded->config.global.instrumentation.addresses;
  EXPECT_EQ(addresses,
            (std::vector<IpAddress>{*IpAddress::parse("127.0.0.1"), *IpAddress::parse("::1")}));
  EXPECT_TRUE(loaded->warnings.empty()) << allMessages(loaded->warnings);
}

TEST(NativeLoader, FillsGlobalDefaultsWhetherTheGlobalContainerIsAbsentOrEmpty) {
  for (const std::string& global : {std::string{}, std::string{"\"log-level\": \"info\""}}) {
    const auto loaded = parseNativeConfig(withService(kVipAndServer, global), "min.json");
    ASSERT_TRUE(loaded.has_value()) << allMessages(loaded.error());
    const Global& defaults = loaded->config.global;
    EXPECT_EQ(defaults.control_socket_group, "");
    EXPECT_EQ(defaults.control_socket_read_only, "");
    EXPECT_EQ(defaults.state_file, "/var/lib/vipd/state.json");
    EXPECT_EQ(defaults.ipvs.redump_interval, std::chrono::seconds(60));
    EXPECT_FALSE(defaults.ipvs.timeouts.any());
  }
}

TEST(NativeLoader, ReadsEachIpvsTimeoutAndARedumpIntervalOfZero) {
  const auto loaded =
      parseNativeConfig(withService(kVipAndServer,
                                    "\"ipvs\": {\"redump-interval\": 0, \"timeouts\": "
                                    "{\"tcp\": 7200, \"tcp-fin\": 120, \"udp\": 300}}"),
                        "ipvs.json");
  ASSERT_TRUE(loaded.has_value()) << allMessages(loaded.error());
  EXPECT_EQ(loaded->config.global.ipvs.redump_interval, std::chrono::seconds(0));
  EXPECT_EQ(loaded->config.global.ipvs.timeouts, (IpvsTimeouts{7200, 120, 300}));
  EXPECT_NE(loaded->normalized_json.find("\"tcp-fin\": 120"), std::string::npos)
      << loaded->normalized_json;
}

struct BadCase {
  const char* name;
  std::string text;
  int line;             // 0: no line expected
  const char* path;     // a part of the first diagnostic's path ("" for none)
  const char* message;  // a part of the first diagnostic's message
};

class NativeLoaderRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(NativeLoaderRejects, WithFileLinePathAndExpectation) {
  const BadCase& bad = GetParam();
  const auto loaded = parseNativeConfig(bad.text, "bad.json");
  ASSERT_FALSE(loaded.has_value());
  const Diagnostic& first = loaded.error().at(0);
  EXPECT_EQ(first.severity, Diagnostic::Severity::Error);
  EXPECT_EQ(first.file, "bad.json");
  if (bad.line > 0) {
    EXPECT_EQ(first.line, bad.line) << first.format();
  }
  EXPECT_NE(first.path.find(bad.path), std::string::npos) << first.format();
  EXPECT_NE(first.message.find(bad.message), std::string::npos) << first.format();
}

const std::string kVip = "\"address\": \"192.0.2.1\", \"port\": 80, ";

std::string withIpvs(const std::string& ipvs_members) {
  return withService(kVip + kServer, "\"ipvs\": {" + ipvs_members + "}");
}

INSTANTIATE_TEST_SUITE_P(
    Cases, NativeLoaderRejects,
    ::testing::Values(
        BadCase{"UnknownServiceMember", withService(kVip + "\"bogus\": 1, " + kServer), 1,
                "service[name='web']", "\"bogus\" not found"},
        BadCase{"UnknownMemberNamesTheChoices", withService(kVip + "\"weight\": 1"), 1,
                "service[name='web']", "expected one of: name, protocol, address, port"},
        BadCase{"UnknownGlobalMember", withService(kVip + kServer, "\"colour\": \"red\""), 1,
                "/vipd:config/global", "\"colour\" not found"},
        BadCase{"UnknownIpvsMember", withIpvs("\"redump\": 5"), 1, "/vipd:config/global/ipvs",
                "\"redump\" not found"},
        BadCase{"UnknownTimeout", withIpvs("\"timeouts\": {\"sctp\": 5}"), 1, "ipvs/timeouts",
                "\"sctp\" not found"},
        BadCase{"RedumpIntervalAsString", withIpvs("\"redump-interval\": \"60\""), 1,
                "ipvs/redump-interval", "whole number"},
        BadCase{"RedumpIntervalAboveADay", withIpvs("\"redump-interval\": 86401"), 1,
                "ipvs/redump-interval", "out of the allowed range"},
        BadCase{"NegativeRedumpInterval", withIpvs("\"redump-interval\": -1"), 1,
                "ipvs/redump-interval", "whole number"},
        BadCase{"TimeoutOfZero", withIpvs("\"timeouts\": {\"tcp\": 0}"), 1, "ipvs/timeouts/tcp",
                "out of the allowed range"},
        BadCase{"TimeoutAboveTheKernelsLimit", withIpvs("\"timeouts\": {\"udp\": 2147484}"), 1,
                "ipvs/timeouts/udp", "out of the allowed range"},
        BadCase{"TimeoutWithAFraction", withIpvs("\"timeouts\": {\"tcp-fin\": 1.5}"), 1,
                "ipvs/timeouts/tcp-fin", "whole number"},
        BadCase{"RelativeStateFile", withService(kVip + kServer, "\"state-file\": \"state.json\""),
                1, "/vipd:config/global/state-file", "does not conform"},
        BadCase{"StateFileAsNumber", withService(kVip + kServer, "\"state-file\": 1"), 1,
                "/vipd:config/global/state-file", ""},
        BadCase{"RelativeReadOnlySocket",
                withService(kVip + kServer, "\"control-socket-read-only\": \"ro.ctl\""), 1,
                "control-socket-read-only", "does not conform"},
        BadCase{"GroupWithASpace",
                withService(kVip + kServer, "\"control-socket-group\": \"vipd ops\""), 1,
                "control-socket-group", "does not conform"},
        BadCase{"GroupAsNumber", withService(kVip + kServer, "\"control-socket-group\": 1000"), 1,
                "control-socket-group", ""},
        BadCase{"PortAsString", withService("\"address\": \"192.0.2.1\", \"port\": \"80\""), 1,
                "/port", "expected a whole number in 1..65535"},
        BadCase{"PortZero", withService("\"address\": \"192.0.2.1\", \"port\": 0"), 1, "/port",
                "out of the allowed range"},
        BadCase{"PortTooLarge", withService("\"address\": \"192.0.2.1\", \"port\": 70000"), 1,
                "/port", "expected a whole number in 1..65535"},
        BadCase{"NameWhereAnAddressBelongs",
                withService("\"address\": \"cp1001.example.net\", \"port\": 80"), 1, "/address",
                "IPv4 or IPv6"},
        BadCase{"AddressWhereAPortBelongs",
                withService("\"address\": \"192.0.2.1\", \"port\": \"192.0.2.2\""), 1, "/port",
                "whole number"},
        BadCase{"AddressAndFwmark", withService(kVip + "\"fwmark\": 3"), 1, "service[name='web']",
                "Data for both cases"},
        BadCase{"NeitherAddressNorFwmark", withService("\"protocol\": \"tcp\""), 1,
                "service[name='web']", "an address and a port, or a fwmark"},
        BadCase{"AddressWithoutPort", withService("\"address\": \"192.0.2.1\""), 1,
                "service[name='web']", "an address and a port, or a fwmark"},
        BadCase{"ThresholdAboveOne", withService(kVip + "\"depool-threshold\": \"1.5\""), 1,
                "depool-threshold", "0..1"},
        BadCase{"ThresholdAsJsonNumber", withService(kVip + "\"depool-threshold\": 0.5"), 1,
                "depool-threshold", "written as a JSON string"},
        BadCase{"UnknownScheduler", withService(kVip + "\"scheduler\": \"fastest\""), 1,
                "scheduler", "one of: rr, wrr"},
        BadCase{"ContainerOfAnotherKind",
                withService(kVip + "\"monitor\": [{\"name\": \"m\", \"kind\": \"tcp\", "
                                   "\"http\": {\"url\": [\"http://x/\"]}}]"),
                1, "monitor[name='m']/http", "not allowed here"},
        BadCase{"HttpMonitorWithoutUrl",
                withService(kVip + "\"monitor\": [{\"name\": \"m\", \"kind\": \"http\"}]"), 0,
                "url", "Too few \"url\""},
        BadCase{"FlagOfAnotherScheduler",
                withService(kVip + "\"scheduler-flags\": [\"sh-port\"], " + kServer), 1,
                "scheduler-flags", "fits only scheduler sh"},
        BadCase{"BgpWithoutLocalAs", withService(kVip + kServer, "\"bgp\": {\"enabled\": true}"), 1,
                "/vipd:config/global/bgp", "local-as is not set"},
        BadCase{"AsPathAboveFourOctets",
                withService(kVip + kServer,
                            "\"bgp\": {\"attributes\": {\"as-path\": \"1 4294967296\"}}"),
                1, "attributes/as-path", "\"4294967296\" is not an AS number"},
        BadCase{"CommunityAboveSixteenBits",
                withService(kVip + kServer,
                            "\"bgp\": {\"attributes\": {\"community\": [\"65536:1\"]}}"),
                1, "attributes/community[.='65536:1']", "each part in 0..65535"},
        BadCase{"LargeCommunityWithTwoParts",
                withService(kVip + kServer,
                            "\"bgp\": {\"attributes\": {\"large-community\": [\"1:2\"]}}"),
                1, "large-community", "does not conform"},
        BadCase{"PeerWithoutAddress",
                withService(kVip + kServer, "\"bgp\": {\"peer\": [{\"name\": \"r\"}]}"), 0,
                "bgp/peer/address", "Mandatory node \"address\""},
        BadCase{"PeerHoldTimeOfTwo",
                withService(kVip + kServer,
                            "\"bgp\": {\"peer\": [{\"name\": \"r\", \"address\": \"192.0.2.9\", "
                            "\"hold-time\": 2}]}"),
                1, "peer[name='r']/hold-time", "out of the allowed range"},
        BadCase{"PeerWithoutFamilies",
                withService(kVip + kServer,
                            "\"bgp\": {\"peer\": [{\"name\": \"r\", \"address\": \"192.0.2.9\", "
                            "\"ipv4-unicast\": false, \"ipv6-unicast\": false}]}"),
                1, "peer[name='r']", "at least one of ipv4-unicast and ipv6-unicast"},
        BadCase{"TtlWithTtlSecurity",
                withService(kVip + kServer,
                            "\"bgp\": {\"peer\": [{\"name\": \"r\", \"address\": \"192.0.2.9\", "
                            "\"ttl\": 2, \"ttl-security-hops\": 1}]}"),
                1, "peer[name='r']", "exclude each other"},
        BadCase{"LocalAddressOfTheOtherFamily",
                withService(kVip + kServer,
                            "\"bgp\": {\"peer\": [{\"name\": \"r\", \"address\": \"192.0.2.9\", "
                            "\"local-address\": \"2001:db8::1\"}]}"),
                1, "peer[name='r']/local-address", "not of the family"},
        BadCase{"Ipv4VipsToAnIpv6PeerWithoutNextHop",
                withService(kVip + kServer,
                            "\"bgp\": {\"enabled\": true, \"local-as\": 1, \"peer\": [{\"name\": "
                            "\"r\", \"address\": \"2001:db8::9\"}]}"),
                1, "peer[name='r']", "no next-hop-ipv4"},
        BadCase{"MinHealthyAboveAHundredPercent",
                withService(kVip + kServer + ", \"bgp\": {\"min-healthy\": \"101%\"}"), 1,
                "bgp/min-healthy", "or text matching `(100|[1-9]?[0-9])%`"},
        BadCase{"MinHealthyZero", withService(kVip + kServer + ", \"bgp\": {\"min-healthy\": 0}"),
                1, "bgp/min-healthy", "a whole number in 1..4294967295"},
        BadCase{"UnknownPeerOfAVip",
                withService(kVip + kServer + ", \"bgp\": {\"peer\": [\"nope\"]}"), 1, "bgp/peer",
                "nope"},
        BadCase{"PrefixOnAVipService",
                withService(kVip + kServer + ", \"bgp\": {\"prefix\": [\"192.0.2.0/24\"]}"), 1,
                "bgp/prefix", "for fwmark services"},
        BadCase{"FwmarkAnnouncingWithoutPrefixes",
                withService("\"fwmark\": 3, " + kServer,
                            "\"bgp\": {\"enabled\": true, \"local-as\": 1}"),
                1, "/fwmark", "has no bgp/prefix"},
        BadCase{"FwmarkPrefixOfTheOtherFamily",
                withService("\"fwmark\": 3, " + kServer +
                            ", \"bgp\": {\"prefix\": [\"2001:db8::/32\"]}"),
                1, "bgp/prefix", "not of the service's address family"},
        BadCase{
            "Ipv6PersistenceNetmaskOnIpv4",
            withService(kVip + "\"persistence\": {\"timeout\": 1, \"netmask\": 64}, " + kServer), 1,
            "persistence/netmask", "dotted netmask"},
        BadCase{"WrongTopLevelMember", "{\"pybal:config\": {}}", 1, "", "top-level member"},
        BadCase{"UnqualifiedTopLevelMember", "{\"config\": {}}", 1, "", "namespace-qualified"},
        BadCase{"EmptyObject", "{}", 0, "", "no \"vipd:config\""},
        BadCase{"EmptyFile", "", 1, "", "expected a JSON value"},
        BadCase{"TruncatedFile", "{\"vipd:config\": {\n  \"service\": [\n    {\"name\": ", 3, "",
                "column 14: expected a JSON value"},
        BadCase{"TrailingComma", "{\"vipd:config\": {},\n}", 2, "", "expected a member name"},
        BadCase{"BinaryFile", std::string("{\"vipd:config\"\0\x01\x02", 18), 1, "", "not text"},
        BadCase{"InvalidUtf8", "{\"vipd:config\": {\"global\": {\"log-level\": \"\xff\"}}}", 1, "",
                "not valid UTF-8"},
        BadCase{"MemberTwice", "{\"vipd:config\": {\n\"global\": {},\n\"global\": {}}}", 3,
                "/vipd:config/global", "first at line 2, again at line 3"}),
    [](const ::testing::TestParamInfo<BadCase>& param) { return std::string(param.param.name); });

TEST(NativeLoader, NamesTheLineOfAValidationErrorInAMultiLineFile) {
  const auto loaded = loadNativeConfig(dataDir() / "bad_port.json");
  ASSERT_FALSE(loaded.has_value());
  const Diagnostic& error = loaded.error().at(0);
  EXPECT_EQ(error.line, 7);
  EXPECT_EQ(error.path, "/vipd:config/service[name='web']/port");
  EXPECT_NE(error.format().find("bad_port.json:7: error: "), std::string::npos);
}

TEST(NativeLoader, ReportsTheLineOfAConstraintWithoutLibyangLine) {
  // A must violation carries a data path but no line; the line index supplies it.
  const auto loaded = loadNativeConfig(dataDir() / "bad_must.json");
  ASSERT_FALSE(loaded.has_value());
  const Diagnostic& error = loaded.error().at(0);
  EXPECT_EQ(error.path, "/vipd:config/service[name='second']");
  EXPECT_EQ(error.line, 10);
}

TEST(NativeLoader, CollectsOneErrorForEachBadService) {
  const auto loaded = loadNativeConfig(dataDir() / "bad_several.json");
  ASSERT_FALSE(loaded.has_value());
  std::vector<std::string> paths;
  for (const Diagnostic& error : loaded.error()) {
    paths.push_back(error.path);
  }
  EXPECT_NE(std::find(paths.begin(), paths.end(), "/vipd:config/service[name='one']/port"),
            paths.end())
      << allMessages(loaded.error());
  EXPECT_NE(std::find(paths.begin(), paths.end(), "/vipd:config/service[name='two']/scheduler"),
            paths.end())
      << allMessages(loaded.error());
  EXPECT_NE(std::find(paths.begin(), paths.end(), "/vipd:config/global/log-level"), paths.end())
      << allMessages(loaded.error());
}

TEST(NativeLoader, RejectsTwoServicesOnOneVipAndPortNamingBothLines) {
  const auto loaded = loadNativeConfig(dataDir() / "duplicate_services.json");
  ASSERT_FALSE(loaded.has_value());
  const Diagnostic& error = loaded.error().at(0);
  EXPECT_EQ(error.path, "/vipd:config/service[name='web-again']");
  EXPECT_EQ(error.line, 10);
  EXPECT_NE(error.message.find("\"web\" (line 4)"), std::string::npos) << error.format();
  EXPECT_NE(error.message.find("tcp 192.0.2.1:80"), std::string::npos) << error.format();
}

TEST(NativeLoader, RejectsServicesOnOneVipWithDifferentMeds) {
  const std::string text =
      "{\"vipd:config\": {\"service\": ["
      "{\"name\": \"a\", \"address\": \"192.0.2.1\", \"port\": 80, \"bgp\": {\"attributes\": "
      "{\"med\": 5}}, " +
      kServer + "}, {\"name\": \"b\", \"address\": \"192.0.2.1\", \"port\": 443, " + kServer +
      "}]}}";
  const auto loaded = parseNativeConfig(text, "med.json");
  ASSERT_FALSE(loaded.has_value());
  const Diagnostic& error = loaded.error().at(0);
  EXPECT_EQ(error.path, "/vipd:config/service[name='b']/bgp/attributes/med");
  EXPECT_NE(error.message.find("services \"a\" (line 1) and \"b\" share VIP 192.0.2.1 but not "
                               "their MED (5 and none)"),
            std::string::npos)
      << error.format();
}

TEST(NativeLoader, WarnsAboutOnePacketOnTcpAndAServiceWithoutServers) {
  const auto loaded = parseNativeConfig(withService(kVip + "\"one-packet\": true"), "w.json");
  ASSERT_TRUE(loaded.has_value()) << allMessages(loaded.error());
  ASSERT_EQ(loaded->warnings.size(), 2U) << allMessages(loaded->warnings);
  EXPECT_EQ(loaded->warnings[0].severity, Diagnostic::Severity::Warning);
  EXPECT_EQ(loaded->warnings[0].path, "/vipd:config/service[name='web']/one-packet");
  EXPECT_EQ(loaded->warnings[0].line, 1);
}

TEST(NativeLoader, NormalizedJsonRoundTripsToTheSameConfiguration) {
  const auto first = loadNativeConfig(dataDir() / "good.json");
  ASSERT_TRUE(first.has_value()) << allMessages(first.error());
  const auto second = parseNativeConfig(first->normalized_json, "normalized.json");
  ASSERT_TRUE(second.has_value()) << allMessages(second.error()) << first->normalized_json;
  EXPECT_EQ(second->normalized_json, first->normalized_json);
  Config expected = first->config;
  expected.source_file = "normalized.json";
  // Normalizing sorts services by name; the model keeps the file's order.
  std::sort(expected.services.begin(), expected.services.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  for (ServiceConfig& service : expected.services) {
    std::sort(service.monitors.begin(), service.monitors.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    std::sort(service.servers.begin(), service.servers.end(),
              [](const auto& a, const auto& b) { return a.host < b.host; });
  }
  EXPECT_TRUE(second->config == expected);
}

TEST(NativeLoader, NormalizedJsonWritesDefaultsAndIgnoresTheOrderOfServices) {
  const std::string a = "{\"name\": \"a\", \"fwmark\": 1, " + kServer + "}";
  const std::string b = "{\"name\": \"b\", \"fwmark\": 2, " + kServer + "}";
  const auto ab = parseNativeConfig("{\"vipd:config\": {\"service\": [" + a + "," + b + "]}}", "");
  const auto ba = parseNativeConfig("{\"vipd:config\": {\"service\": [" + b + "," + a + "]}}", "");
  ASSERT_TRUE(ab.has_value() && ba.has_value());
  EXPECT_EQ(ab->normalized_json, ba->normalized_json);
  EXPECT_NE(ab->normalized_json.find("\"depool-threshold\": \"0.5\""), std::string::npos)
      << ab->normalized_json;
  EXPECT_NE(ab->normalized_json.find("\"control-socket\": \"/run/vipd/vipd.ctl\""),
            std::string::npos);
  EXPECT_LT(ab->normalized_json.find("\"name\": \"a\""),
            ab->normalized_json.find("\"name\": \"b\""));
}

TEST(NativeLoader, ReportsAMissingFileByName) {
  const auto loaded = loadNativeConfig(dataDir() / "no-such-file.json");
  ASSERT_FALSE(loaded.has_value());
  EXPECT_NE(loaded.error().at(0).format().find("no-such-file.json: error: cannot read"),
            std::string::npos);
}

TEST(NativeLoader, RejectsAnInputLargerThanSixteenMebibytes) {
  const std::string text = "{\"vipd:config\": {}}" + std::string(17 * 1024 * 1024, ' ');
  const auto loaded = parseNativeConfig(text, "big.json");
  ASSERT_FALSE(loaded.has_value());
  EXPECT_NE(loaded.error().at(0).message.find("larger than 16 MiB"), std::string::npos);
}

TEST(NativeLoader, RejectsNestingDeeperThanTheLimit) {
  const std::string text = std::string(200, '[') + std::string(200, ']');
  const auto loaded = parseNativeConfig(text, "deep.json");
  ASSERT_FALSE(loaded.has_value());
  EXPECT_NE(loaded.error().at(0).message.find("nested deeper"), std::string::npos);
}

TEST(Diagnostic, FormatsFileLineSeverityMessageAndPath) {
  const Diagnostic full{Diagnostic::Severity::Error, "vipd.json", 7, "/vipd:config/x", "bad"};
  EXPECT_EQ(full.format(), "vipd.json:7: error: bad (at /vipd:config/x)");
  const Diagnostic bare{Diagnostic::Severity::Warning, "", std::nullopt, "", "odd"};
  EXPECT_EQ(bare.format(), "warning: odd");
}

}  // namespace
}  // namespace vipd::config
