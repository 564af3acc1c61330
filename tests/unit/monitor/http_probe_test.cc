#include "monitor/http_probe.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "test_servers.h"

namespace vipd::monitor {
namespace {

using testing::HttpResponse;
using testing::HttpServer;
using testing::runUntil;
using testing::watch;

config::MonitorConfig httpConfig(std::vector<std::string> urls) {
  config::HttpParams params;
  params.urls = std::move(urls);
  return testing::testConfig(config::MonitorKind::Http, params);
}

config::HttpParams& paramsOf(config::MonitorConfig& config) {
  return std::get<config::HttpParams>(config.params);
}

// Runs one check of `config` against the server; returns the monitor after its first verdict.
std::unique_ptr<testing::Watched> checkOnce(boost::asio::io_context& io,
                                            const config::MonitorConfig& config,
                                            std::uint16_t port) {
  auto watched = watch(io, config, port);
  watched->monitor->start();
  EXPECT_TRUE(runUntil(io, [&] { return !watched->verdicts.empty(); }));
  return watched;
}

TEST(HttpProbe, JudgesStatusRedirectAndBody) {
  const std::map<std::string, HttpResponse> routes = {
      {"/ok", {200, "all good: pool healthy", ""}},
      {"/broken", {500, "oops", ""}},
      {"/moved", {302, "", "Location: http://elsewhere.test/\r\n"}},
  };
  struct Case {
    std::string name;
    std::string path;
    std::uint32_t status;
    std::optional<std::string> body_match;
    bool up;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"expected status", "/ok", 200, std::nullopt, true, "http: status 200"},
      {"wrong status", "/broken", 200, std::nullopt, false, "http: status 500, expected 200"},
      {"missing page", "/absent", 200, std::nullopt, false, "http: status 404, expected 200"},
      {"redirect expected", "/moved", 302, std::nullopt, true, "http: status 302"},
      {"redirect not followed", "/moved", 200, std::nullopt, false,
       "http: status 302, expected 200"},
      {"body matches", "/ok", 200, "pool healthy", true, "http: status 200, body matches"},
      {"body mismatch", "/ok", 200, "pool empty", false,
       "http: body does not contain \"pool empty\""},
  };
  for (const Case& c : cases) {
    boost::asio::io_context io;
    HttpServer server(io, routes);
    auto config = httpConfig({"http://site.test" + c.path});
    paramsOf(config).http_status = c.status;
    paramsOf(config).body_match = c.body_match;
    const auto watched = checkOnce(io, config, server.port());
    EXPECT_EQ(watched->verdict() == Verdict::Up, c.up) << c.name;
    EXPECT_EQ(watched->message(), c.message) << c.name;
  }
}

TEST(HttpProbe, SendsHostPathAndCloseToTheServerAddress) {
  boost::asio::io_context io;
  HttpServer server(io, {{"/health", {200, "", ""}}});
  const auto watched =
      checkOnce(io, httpConfig({"http://www.site.test:8080/health?full=1#x"}), server.port());
  EXPECT_EQ(watched->verdict(), Verdict::Up);
  ASSERT_EQ(server.requests().size(), 1U);
  const std::string& head = server.requests()[0];
  EXPECT_TRUE(head.starts_with("GET /health?full=1 HTTP/1.1\r\n")) << head;
  EXPECT_NE(head.find("\r\nHost: www.site.test:8080\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("\r\nConnection: close\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("\r\nUser-Agent: vipd"), std::string::npos) << head;
}

TEST(HttpProbe, PicksAUrlAtRandomEachCheck) {
  boost::asio::io_context io;
  HttpServer server(io, {{"/a", {200, "", ""}}, {"/b", {200, "", ""}}});
  auto config = httpConfig({"http://site.test/a", "http://site.test/b"});
  auto watched = watch(io, config, server.port());
  watched->monitor->start();
  // Forty checks all on one URL would mean no random choice (a chance of 2 in 2^40).
  ASSERT_TRUE(runUntil(io, [&] { return server.requests().size() >= 40; }));
  std::size_t a = 0;
  for (const std::string& head : server.requests()) {
    a += head.starts_with("GET /a ") ? 1U : 0U;
  }
  EXPECT_GT(a, 0U);
  EXPECT_LT(a, server.requests().size());
}

TEST(HttpProbe, CheckAllToleratesMaxFailures) {
  for (const std::uint32_t tolerated : {0U, 1U}) {
    boost::asio::io_context io;
    HttpServer server(io, {{"/a", {200, "", ""}}, {"/b", {503, "", ""}}});
    auto config = httpConfig({"http://site.test/a", "http://site.test/b"});
    paramsOf(config).check_all = true;
    paramsOf(config).max_failures = tolerated;
    const auto watched = checkOnce(io, config, server.port());
    EXPECT_EQ(server.requests().size(), 2U);
    EXPECT_EQ(watched->verdict(), tolerated == 0 ? Verdict::Down : Verdict::Up);
    EXPECT_NE(watched->message().find("1 of 2 urls failed"), std::string::npos)
        << watched->message();
    EXPECT_NE(watched->message().find("site.test/b"), std::string::npos) << watched->message();
  }
}

// Without body_match only the status line is read: header fields far beyond the 16 KiB that
// Beast's parser keeps do not matter. With body_match they are parsed, and bounded.
TEST(HttpProbe, OversizedHeaderIsDownOnlyWhenTheBodyIsMatched) {
  for (const bool match : {false, true}) {
    boost::asio::io_context io;
    const std::string big = "X-Big: " + std::string(20 * 1024, 'x') + "\r\n";
    HttpServer server(io, {{"/", {200, "big header", big}}});
    auto config = httpConfig({"http://site.test/"});
    if (match) {
      paramsOf(config).body_match = "big";
    }
    const auto watched = checkOnce(io, config, server.port());
    if (match) {
      EXPECT_EQ(watched->verdict(), Verdict::Down);
      EXPECT_NE(watched->message().find("read header"), std::string::npos) << watched->message();
    } else {
      EXPECT_EQ(watched->verdict(), Verdict::Up) << watched->message();
      EXPECT_EQ(watched->message(), "http: status 200");
    }
  }
}

TEST(HttpProbe, StatusLineIsJudgedWithoutWaitingForTheRest) {
  // The server answers one status line and holds the connection open: no header end, no body.
  boost::asio::io_context io;
  testing::TcpServer server(io, testing::TcpServer::Mode::Reply, "HTTP/1.1 200 OK\r\nX-A");
  const auto watched = checkOnce(io, httpConfig({"http://site.test/"}), server.port());
  EXPECT_EQ(watched->verdict(), Verdict::Up) << watched->message();
  EXPECT_EQ(watched->counters().timeouts, 0U);
}

TEST(HttpProbe, ChecksInTurnAndMayBeDestroyedByTheirEnd) {
  boost::asio::io_context io;
  testing::TcpServer server(io, testing::TcpServer::Mode::Reply, "HTTP/1.1 200 OK\r\n\r\n");
  auto probe = std::make_unique<HttpProbe>(io, *IpAddress::parse("127.0.0.1"), server.port(),
                                           planMonitor(httpConfig({"http://site.test/"})));
  std::vector<ProbeResult> results;
  probe->start([&](ProbeResult result) { results.push_back(std::move(result)); });
  ASSERT_TRUE(runUntil(io, [&] { return results.size() == 1; }));

  // The second check's end destroys the probe, as a listener that drops its monitor would.
  probe->start([&](ProbeResult result) {
    results.push_back(std::move(result));
    probe.reset();
  });
  ASSERT_TRUE(runUntil(io, [&] { return results.size() == 2; }));
  EXPECT_FALSE(probe);
  EXPECT_TRUE(results[0].up) << results[0].message;
  EXPECT_TRUE(results[1].up) << results[1].message;
  io.restart();
  io.poll();  // the fetch's last handlers run with the probe gone
}

TEST(HttpProbe, MalformedStatusLineIsDown) {
  boost::asio::io_context io;
  testing::TcpServer server(io, testing::TcpServer::Mode::Reply, "HTTP/1.1 2xx OK\r\n\r\n");
  const auto watched = checkOnce(io, httpConfig({"http://site.test/"}), server.port());
  EXPECT_EQ(watched->verdict(), Verdict::Down);
  EXPECT_NE(watched->message().find("http: malformed status line"), std::string::npos)
      << watched->message();
}

TEST(HttpProbe, StatusLineCutShortIsDown) {
  boost::asio::io_context io;
  testing::TcpServer server(io, testing::TcpServer::Mode::CloseCleanly);
  const auto watched = checkOnce(io, httpConfig({"http://site.test/"}), server.port());
  EXPECT_EQ(watched->verdict(), Verdict::Down);
  EXPECT_EQ(watched->counters().timeouts, 0U);
  EXPECT_TRUE(watched->message().starts_with("http: ")) << watched->message();
}

TEST(HttpProbe, EndlessStatusLineIsDown) {
  boost::asio::io_context io;
  testing::TcpServer server(io, testing::TcpServer::Mode::Reply,
                            "HTTP/1.1 200 " + std::string(4096, 'k'));
  const auto watched = checkOnce(io, httpConfig({"http://site.test/"}), server.port());
  EXPECT_EQ(watched->verdict(), Verdict::Down);
  EXPECT_NE(watched->message().find("status line longer than"), std::string::npos)
      << watched->message();
}

TEST(HttpProbe, MonitorsOfOnePlanShareItsSettings) {
  // Two servers' monitors from one plan: each checks its own server, from the same URL list.
  boost::asio::io_context io;
  HttpServer first(io, {{"/", {200, "", ""}}});
  HttpServer second(io, {{"/", {503, "", ""}}});
  const auto plan = planMonitor(httpConfig({"http://site.test/"}));
  std::vector<Verdict> verdicts(2, Verdict::Unknown);
  std::vector<std::unique_ptr<Monitor>> monitors;
  for (std::size_t i = 0; i < 2; ++i) {
    const std::uint16_t port = i == 0 ? first.port() : second.port();
    monitors.push_back(
        makeMonitor(io, plan, Target{"svc", "host", *IpAddress::parse("127.0.0.1"), port},
                    [&verdicts, i](Monitor&, Verdict, Verdict to) { verdicts[i] = to; }));
    monitors.back()->start();
  }
  ASSERT_TRUE(runUntil(
      io, [&] { return verdicts[0] != Verdict::Unknown && verdicts[1] != Verdict::Unknown; }));
  EXPECT_EQ(verdicts[0], Verdict::Up);
  EXPECT_EQ(verdicts[1], Verdict::Down);
  EXPECT_EQ(monitors[1]->lastResult().message, "http: status 503, expected 200");
}

TEST(HttpProbe, OversizedBodyIsDownOnlyWhenMatched) {
  for (const bool match : {true, false}) {
    boost::asio::io_context io;
    HttpServer server(io, {{"/", {200, std::string(1024 * 1024 + 1, 'y'), ""}}});
    auto config = httpConfig({"http://site.test/"});
    if (match) {
      paramsOf(config).body_match = "yyy";
    }
    config.timeout = std::chrono::seconds(5);
    const auto watched = checkOnce(io, config, server.port());
    EXPECT_EQ(watched->verdict(), match ? Verdict::Down : Verdict::Up) << watched->message();
    if (match) {
      EXPECT_NE(watched->message().find("body limit exceeded"), std::string::npos)
          << watched->message();
    }
  }
}

TEST(HttpProbe, SilentServerTimesOut) {
  boost::asio::io_context io;
  testing::TcpServer server(io, testing::TcpServer::Mode::Silent);
  auto config = httpConfig({"http://site.test/"});
  config.timeout = std::chrono::milliseconds(50);
  const auto watched = checkOnce(io, config, server.port());
  EXPECT_EQ(watched->verdict(), Verdict::Down);
  EXPECT_EQ(watched->counters().timeouts, 1U);
}

TEST(HttpProbe, RefusedAndBadUrlAreDown) {
  boost::asio::io_context io;
  const auto refused = checkOnce(io, httpConfig({"http://site.test/"}), testing::unusedTcpPort());
  EXPECT_EQ(refused->verdict(), Verdict::Down);
  EXPECT_EQ(refused->message(), "http: connect: connection refused");

  const auto bad = checkOnce(io, httpConfig({"gopher://site.test/"}), testing::unusedTcpPort());
  EXPECT_EQ(bad->verdict(), Verdict::Down);
  EXPECT_NE(bad->message().find("bad url"), std::string::npos) << bad->message();

  const auto none = checkOnce(io, httpConfig({}), testing::unusedTcpPort());
  EXPECT_EQ(none->verdict(), Verdict::Down);
}

TEST(HttpsProbe, SelfSignedCertificateIsDownWithVerifyAndUpWithout) {
  for (const bool verify : {true, false}) {
    boost::asio::io_context io;
    HttpServer server(io, {{"/health", {200, "secure", ""}}}, true);
    auto config = httpConfig({"https://localhost/health"});
    paramsOf(config).tls_verify = verify;
    paramsOf(config).body_match = "secure";
    const auto watched = checkOnce(io, config, server.port());
    if (verify) {
      EXPECT_EQ(watched->verdict(), Verdict::Down);
      EXPECT_NE(watched->message().find("certificate verify failed"), std::string::npos)
          << watched->message();
    } else {
      EXPECT_EQ(watched->verdict(), Verdict::Up) << watched->message();
      ASSERT_EQ(server.serverNames().size(), 1U);
      EXPECT_EQ(server.serverNames()[0], "localhost");
    }
  }
}

TEST(HttpsProbe, NoServerNameForAnAddressLiteral) {
  boost::asio::io_context io;
  HttpServer server(io, {{"/", {200, "", ""}}}, true);
  auto config = httpConfig({"https://127.0.0.1/"});
  paramsOf(config).tls_verify = false;
  const auto watched = checkOnce(io, config, server.port());
  EXPECT_EQ(watched->verdict(), Verdict::Up) << watched->message();
  ASSERT_EQ(server.serverNames().size(), 1U);
  EXPECT_EQ(server.serverNames()[0], "");
}

}  // namespace
}  // namespace vipd::monitor
