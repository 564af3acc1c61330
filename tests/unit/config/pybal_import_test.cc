#include <gtest/gtest.h>

#include <string>

#include "config/loader.h"
#include "test_files.h"

namespace vipd::config {
namespace {

using testing::dataDir;

std::string allMessages(const Diagnostics& diagnostics) {
  std::string text;
  for (const Diagnostic& diagnostic : diagnostics) {
    text += diagnostic.format() + "\n";
  }
  return text;
}

const Diagnostic* findAtLine(const Diagnostics& diagnostics, int line, std::string_view part) {
  for (const Diagnostic& diagnostic : diagnostics) {
    if (diagnostic.line == line && diagnostic.message.find(part) != std::string::npos) {
      return &diagnostic;
    }
  }
  return nullptr;
}

TEST(PybalImport, TranslatesEveryKeyOfARealisticFile) {
  const auto loaded = loadPybalConfig(dataDir() / "pybal.conf");
  ASSERT_TRUE(loaded.has_value()) << allMessages(loaded.error());
  EXPECT_TRUE(loaded->warnings.empty()) << allMessages(loaded->warnings);
  const Config& config = loaded->config;
  EXPECT_EQ(config.origin, Origin::Pybal);

  const BgpGlobal& bgp = config.global.bgp;
  EXPECT_TRUE(bgp.enabled);
  EXPECT_EQ(bgp.local_as, 64600U);
  EXPECT_FALSE(bgp.router_id.has_value());  // bgp_settings takes the first local IPv4
  EXPECT_EQ(bgp.listen_addresses, (std::vector<IpAddress>{*IpAddress::parse("192.0.2.1"),
                                                          *IpAddress::parse("2001:db8::1")}));
  EXPECT_EQ(bgp.listen_port, 1179);
  EXPECT_EQ(bgp.attributes.as_path, (std::vector<std::uint32_t>{64600, 64601}));
  EXPECT_EQ(bgp.attributes.med, 0U);  // PyBal's default
  EXPECT_EQ(bgp.attributes.next_hop_ipv4, IpAddress::parse("192.0.2.1"));
  EXPECT_EQ(bgp.attributes.next_hop_ipv6, IpAddress::parse("2001:db8::1"));
  ASSERT_EQ(bgp.peers.size(), 2U);
  for (const BgpPeer& peer : bgp.peers) {
    EXPECT_EQ(peer.name, peer.address.toString());
    EXPECT_FALSE(peer.peer_as.has_value());  // any AS, as PyBal
    EXPECT_EQ(peer.hold_time, std::chrono::seconds(180));
    EXPECT_EQ(peer.connect_retry_time, std::chrono::seconds(30));
    EXPECT_FALSE(peer.passive);
  }
  EXPECT_EQ(bgp.peers[0].address, IpAddress::parse("192.0.2.254"));
  EXPECT_EQ(bgp.peers[0].local_address, IpAddress::parse("192.0.2.1"));
  EXPECT_EQ(bgp.peers[1].local_address, IpAddress::parse("2001:db8::1"));
  EXPECT_TRUE(config.global.instrumentation.enabled);
  EXPECT_EQ(config.global.instrumentation.port, 9100);
  EXPECT_EQ(config.global.instrumentation.addresses.size(), 1U);

  ASSERT_EQ(config.services.size(), 3U);
  const ServiceConfig& text = config.services[0];
  EXPECT_EQ(text.name, "text_80");
  EXPECT_EQ(text.vip, IpAddress::parse("192.0.2.10"));
  EXPECT_EQ(text.port, 80);
  EXPECT_EQ(text.scheduler, "wrr");
  EXPECT_EQ(text.forwarding, Forwarding::DirectRouting);
  EXPECT_DOUBLE_EQ(text.depool_threshold, 0.5);
  EXPECT_EQ(text.server_list->url, "file:///etc/pybal/pools/text_80");
  ASSERT_EQ(text.monitors.size(), 2U);
  EXPECT_EQ(text.monitors[0].name, "proxyfetch");
  EXPECT_EQ(text.monitors[0].kind, MonitorKind::Http);
  EXPECT_DOUBLE_EQ(text.monitors[0].timeout.count(), 3.0);
  const auto& http = std::get<HttpParams>(text.monitors[0].params);
  EXPECT_EQ(http.urls, (std::vector<std::string>{"http://en.wikipedia.org/wiki/Special:BlankPage",
                                                 "https://en.wikipedia.org/"}));
  EXPECT_EQ(http.http_status, 301U);
  EXPECT_EQ(text.monitors[1].kind, MonitorKind::IdleConnection);

  const ServiceConfig& dns = config.services[1];
  EXPECT_EQ(dns.protocol, Protocol::Udp);
  EXPECT_TRUE(dns.one_packet);
  EXPECT_EQ(dns.port, 53);
  EXPECT_EQ(std::get<DnsParams>(dns.monitors[0].params).hostnames,
            std::vector<std::string>{"www.wikipedia.org"});
  EXPECT_DOUBLE_EQ(std::get<UdpParams>(dns.monitors[1].params).icmp_timeout.count(), 10.0);

  const ServiceConfig& command = config.services[2];
  EXPECT_EQ(command.announce.attributes.med, 0U);
  EXPECT_EQ(command.announce.min_healthy, (MinHealthy{false, 1}));  // health-gated
  const MonitorConfig& run = command.monitors.at(0);
  EXPECT_EQ(run.kind, MonitorKind::RunCommand);
  EXPECT_DOUBLE_EQ(run.interval.count(), 60.0);  // PyBal's RunCommand defaults
  EXPECT_DOUBLE_EQ(run.timeout.count(), 20.0);
  const auto& params = std::get<RunCommandParams>(run.params);
  EXPECT_EQ(params.command, "/usr/local/bin/check-tls");
  EXPECT_EQ(params.arguments, (std::vector<std::string>{"--host", "{host}"}));

  EXPECT_NE(loaded->normalized_json.find("\"vipd:config\""), std::string::npos);
}

TEST(PybalImport, ItsNormalizedJsonLoadsAsANativeFile) {
  const auto pybal = loadPybalConfig(dataDir() / "pybal.conf");
  ASSERT_TRUE(pybal.has_value()) << allMessages(pybal.error());
  const auto native = parseNativeConfig(pybal->normalized_json, "converted.json");
  ASSERT_TRUE(native.has_value()) << allMessages(native.error());
  EXPECT_EQ(native->normalized_json, pybal->normalized_json);
}

TEST(PybalImport, WarnsAboutKeysPyBalDoesNotKnowWithTheirLines) {
  const auto loaded = loadPybalConfig(dataDir() / "pybal_unknown.conf");
  ASSERT_TRUE(loaded.has_value()) << allMessages(loaded.error());
  const Diagnostics& warnings = loaded->warnings;
  EXPECT_NE(findAtLine(warnings, 3, "key colour in [global] is not one PyBal knows"), nullptr)
      << allMessages(warnings);
  EXPECT_NE(findAtLine(warnings, 13, "key proxyfetch.verb"), nullptr) << allMessages(warnings);
  EXPECT_NE(findAtLine(warnings, 14, "a monitor the service does not list"), nullptr)
      << allMessages(warnings);
  EXPECT_NE(findAtLine(warnings, 15, "key depool-threshhold"), nullptr) << allMessages(warnings);
  for (const Diagnostic& warning : warnings) {
    EXPECT_EQ(warning.severity, Diagnostic::Severity::Warning);
    EXPECT_NE(warning.file.find("pybal_unknown.conf"), std::string::npos);
  }
  // A bare URL where PyBal wants a list is a one-element list.
  const auto& http = std::get<HttpParams>(loaded->config.services.at(0).monitors.at(0).params);
  EXPECT_EQ(http.urls, std::vector<std::string>{"http://en.wikipedia.org/"});
}

TEST(PybalImport, TakesAQuotedStringAsAOneElementListWithAWarning) {
  const auto loaded = parsePybalConfig(
      "[s]\nprotocol = tcp\nip = 192.0.2.1\nport = 80\nscheduler = rr\nconfig = file:///x\n"
      "monitors = 'ProxyFetch'\nproxyfetch.url = 'http://a/'\n",
      "p.conf");
  ASSERT_TRUE(loaded.has_value()) << allMessages(loaded.error());
  const auto& monitor = loaded->config.services.at(0).monitors.at(0);
  EXPECT_EQ(std::get<HttpParams>(monitor.params).urls, std::vector<std::string>{"http://a/"});
  EXPECT_NE(findAtLine(loaded->warnings, 8, "one-element list"), nullptr)
      << allMessages(loaded->warnings);
}

TEST(PybalImport, ReportsLibyangErrorsAtTheirPybalConfLines) {
  const auto loaded = loadPybalConfig(dataDir() / "pybal_bad.conf");
  ASSERT_FALSE(loaded.has_value());
  const Diagnostics& errors = loaded.error();
  EXPECT_NE(findAtLine(errors, 2, "local-as is not set"), nullptr) << allMessages(errors);
  EXPECT_NE(findAtLine(errors, 6, "IPv4 or IPv6"), nullptr) << allMessages(errors);
  EXPECT_NE(findAtLine(errors, 7, "expected a whole number in 1..65535"), nullptr)
      << allMessages(errors);
  EXPECT_NE(findAtLine(errors, 8, "one of: rr, wrr"), nullptr) << allMessages(errors);
  EXPECT_NE(findAtLine(errors, 10, "out of the allowed range"), nullptr) << allMessages(errors);
  EXPECT_NE(findAtLine(errors, 18, "Too few \"url\""), nullptr) << allMessages(errors);
  for (const Diagnostic& error : errors) {
    EXPECT_NE(error.file.find("pybal_bad.conf"), std::string::npos);
  }
}

TEST(PybalImport, RejectsDuplicateServicesNamingBothSections) {
  const auto loaded = loadPybalConfig(dataDir() / "pybal_duplicates.conf");
  ASSERT_FALSE(loaded.has_value());
  const Diagnostic& error = loaded.error().at(0);
  EXPECT_EQ(error.line, 8);
  EXPECT_NE(error.message.find("\"text_80\" (line 1) and \"text_80_again\""), std::string::npos)
      << error.format();
}

struct BadCase {
  const char* name;
  std::string text;
  int line;
  const char* message;
};

const std::string kService =
    "[s]\nprotocol = tcp\nip = 192.0.2.1\nport = 80\nscheduler = rr\nconfig = file:///x\n";

TEST(PybalImport, RejectsWhatPyBalWouldHaveFailedOn) {
  const BadCase cases[] = {
      {"NoConfig", "[s]\nprotocol = tcp\nip = 192.0.2.1\nport = 80\n", 1, "has no config"},
      {"NoAddress", "[s]\nprotocol = tcp\nconfig = file:///x\n", 1,
       "an address and a port, or a fwmark"},
      {"UnknownMonitor", kService + "monitors = [ 'VIPPing' ]\n", 7, "monitor VIPPing is not one"},
      {"MonitorTwice", kService + "monitors = [ 'UDP', 'UDP' ]\n", 7, "listed twice"},
      {"NotALiteral", kService + "monitors = [ ProxyFetch ]\n", 7,
       "column 3: not a Python literal"},
      {"NotAList", kService + "monitors = 3\n", 7, "expected a list of strings"},
      {"ListWhereAStringBelongs",
       kService + "monitors = ['RunCommand']\nruncommand.command = /bin/true\n"
                  "runcommand.arguments = [ 1 ]\n",
       9, "Invalid"},
      {"BooleanWord", kService + "ops = maybe\n", 7, "boolean value \"maybe\""},
      {"BadInterpolation", kService + "scheduler2 = %(nope)s\nbgp-med = %(nope)s\n", 8,
       "names no key"},
      {"DuplicateKey", kService + "port = 81\n", 7, "key port given twice"},
      {"MultiLineListError", kService + "monitors = [ 'UDP',\n  UDP ]\n", 8, "not a Python"},
  };
  for (const BadCase& bad : cases) {
    const auto loaded = parsePybalConfig(bad.text, "p.conf");
    ASSERT_FALSE(loaded.has_value()) << bad.name;
    const Diagnostic* error = findAtLine(loaded.error(), bad.line, bad.message);
    EXPECT_NE(error, nullptr) << bad.name << ":\n" << allMessages(loaded.error());
  }
}

const std::string kBgpGlobal =
    "[global]\nbgp = yes\nbgp-local-asn = 4200000001\nbgp-nexthop-ipv4 = 192.0.2.1\n";

TEST(PybalImport, TakesOneBgpPeerAddressAsOnePeer) {
  const auto loaded =
      parsePybalConfig(kBgpGlobal + "bgp-peer-address = 192.0.2.254\n" + kService, "p.conf");
  ASSERT_TRUE(loaded.has_value()) << allMessages(loaded.error());
  const BgpGlobal& bgp = loaded->config.global.bgp;
  EXPECT_EQ(bgp.local_as, 4200000001U);  // four octets, which PyBal could not
  ASSERT_EQ(bgp.peers.size(), 1U);
  EXPECT_EQ(bgp.peers[0].name, "192.0.2.254");
  EXPECT_FALSE(bgp.peers[0].local_address.has_value());
  EXPECT_EQ(bgp.listen_port, 179);
  EXPECT_TRUE(bgp.listen_addresses.empty());
  EXPECT_TRUE(bgp.attributes.as_path.empty());  // the local AS alone
}

TEST(PybalImport, MapsPerServiceBgpAndMed) {
  const auto loaded = parsePybalConfig(
      kBgpGlobal + "bgp-med = 7\n" + kService + "bgp = no\n" +
          "[t]\nprotocol = tcp\nip = 192.0.2.2\nport = 80\nconfig = file:///x\nbgp-med = 9\n",
      "p.conf");
  ASSERT_TRUE(loaded.has_value()) << allMessages(loaded.error());
  EXPECT_EQ(loaded->config.global.bgp.attributes.med, 7U);
  EXPECT_FALSE(loaded->config.services.at(0).announce.announce);
  EXPECT_EQ(loaded->config.services.at(1).announce.attributes.med, 9U);
}

TEST(PybalImport, RejectsBgpErrorsAtTheirLines) {
  const BadCase cases[] = {
      {"BadPeerAddress", kBgpGlobal + "bgp-peer-address = [ '192.0.2.254', 'router' ]\n" + kService,
       5, "IPv4 or IPv6"},
      {"PeerTwice", kBgpGlobal + "bgp-peer-address = [ '192.0.2.254', '192.0.2.254' ]\n" + kService,
       5, "bgp-peer-address lists 192.0.2.254 twice"},
      {"AsPathNotNumbers", kBgpGlobal + "bgp-as-path = 64600 sixty\n" + kService, 5,
       "does not conform"},
      {"LocalPortTooLarge", kBgpGlobal + "bgp-local-port = 70000\n" + kService, 5,
       "out of type uint16"},
      {"BadLocalIp", kBgpGlobal + "bgp-local-ips = [ 'here' ]\n" + kService, 5, "IPv4 or IPv6"},
      {"NoNextHopOfTheFamily",
       kBgpGlobal + "[s]\nprotocol = tcp\nip = 2001:db8::5\nport = 80\n"
                    "config = file:///x\n",
       7, "no bgp-nexthop-ipv6"},
      {"MedNotANumber", kBgpGlobal + "bgp-med = high\n" + kService, 5, "Invalid"},
      {"ServicesOnOneVipDisagreeOnMed",
       kBgpGlobal + kService +
           "bgp-med = 1\n[t]\nprotocol = tcp\nip = 192.0.2.1\nport = 443\n"
           "config = file:///x\nbgp-med = 2\n",
       17, "services \"s\" (line 5) and \"t\" share VIP 192.0.2.1 but not their MED (1 and 2)"},
  };
  for (const BadCase& bad : cases) {
    const auto loaded = parsePybalConfig(bad.text, "p.conf");
    ASSERT_FALSE(loaded.has_value()) << bad.name;
    const Diagnostic* error = findAtLine(loaded.error(), bad.line, bad.message);
    EXPECT_NE(error, nullptr) << bad.name << ":\n" << allMessages(loaded.error());
  }
}

TEST(PybalImport, AppliesPyBalsDefaults) {
  const auto loaded = parsePybalConfig(kService, "p.conf");
  ASSERT_TRUE(loaded.has_value()) << allMessages(loaded.error());
  const ServiceConfig& service = loaded->config.services.at(0);
  EXPECT_DOUBLE_EQ(service.depool_threshold, 0.5);
  EXPECT_EQ(service.forwarding, Forwarding::DirectRouting);
  EXPECT_FALSE(service.one_packet);
  EXPECT_TRUE(service.announce.announce);
  EXPECT_FALSE(loaded->config.global.bgp.enabled);
  EXPECT_EQ(loaded->config.global.bgp.attributes.med, 0U);
  EXPECT_EQ(loaded->config.global.instrumentation.port, 9090);
}

TEST(PybalImport, InheritsDefaultSectionKeys) {
  const auto loaded = parsePybalConfig(
      "[DEFAULT]\nscheduler = sh\nprotocol = tcp\n"
      "[a]\nip = 192.0.2.1\nport = 80\nconfig = file:///a\n"
      "[b]\nip = 192.0.2.2\nport = 80\nscheduler = rr\nconfig = file:///b\n",
      "p.conf");
  ASSERT_TRUE(loaded.has_value()) << allMessages(loaded.error());
  EXPECT_EQ(loaded->config.services.at(0).scheduler, "sh");
  EXPECT_EQ(loaded->config.services.at(1).scheduler, "rr");
}

}  // namespace
}  // namespace vipd::config
