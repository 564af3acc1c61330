#include "control/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <thread>

#include "instrumentation_snapshots.h"

namespace vipd::control {
namespace {

using testing::FakeDaemonView;
using testing::instrumentationSnapshots;

// A blocking loopback client; a long receive timeout only keeps a broken server from hanging
// the test, it is never what a test checks.
class Client {
 public:
  explicit Client(std::uint16_t port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    timeval guard{20, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof guard);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~Client() { close(fd_); }

  bool connected() const { return connected_; }

  void send(const std::string& data) {
    ASSERT_EQ(::send(fd_, data.data(), data.size(), MSG_NOSIGNAL), ssize_t(data.size()));
  }

  // One response: its header block and a body of Content-Length bytes (none for HEAD).
  std::pair<std::string, std::string> response(bool head = false) {
    while (pending_.find("\r\n\r\n") == std::string::npos && fill()) {
    }
    const auto end = pending_.find("\r\n\r\n");
    if (end == std::string::npos) {
      return {};
    }
    auto header = pending_.substr(0, end + 4);
    pending_.erase(0, end + 4);
    std::size_t length = 0;
    const auto at = header.find("Content-Length: ");
    if (at != std::string::npos && !head) {
      length = std::stoul(header.substr(at + 16));
    }
    while (pending_.size() < length && fill()) {
    }
    auto body = pending_.substr(0, length);
    pending_.erase(0, length);
    return {header, body};
  }

  // True when the server closed the connection (EOF), false on the guard's timeout.
  bool closedByServer() {
    char chunk[4096];
    while (true) {
      const auto got = recv(fd_, chunk, sizeof chunk, 0);
      if (got == 0) {
        return true;
      }
      if (got < 0) {
        return errno == ECONNRESET;
      }
      pending_.append(chunk, std::size_t(got));
    }
  }

  const std::string& pending() const { return pending_; }

 private:
  bool fill() {
    char chunk[4096];
    const auto got = recv(fd_, chunk, sizeof chunk, 0);
    if (got <= 0) {
      return false;
    }
    pending_.append(chunk, std::size_t(got));
    return true;
  }

  int fd_;
  bool connected_ = false;
  std::string pending_;
};

std::string get(const std::string& path, const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra + "\r\n";
}

// The server on 127.0.0.1 port 0, its loop on a thread of its own.
class HttpServerTest : public ::testing::Test {
 protected:
  void startServer(HttpServer::Options options = {}) {
    options.addresses = {"127.0.0.1"};
    options.port = 0;
    server_ = std::make_unique<HttpServer>(io_, view_, options);
    auto started = server_->start();
    ASSERT_TRUE(started.has_value()) << started.error();
    port_ = server_->ports().at(0);
    loop_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    if (loop_.joinable()) {
      std::promise<void> stopped;
      boost::asio::post(io_, [&] {
        server_->stop();
        server_.reset();
        stopped.set_value();
      });
      stopped.get_future().wait();
      io_.stop();
      loop_.join();
    }
    EXPECT_EQ(view_.calls().size(), 0u);
  }

  boost::asio::io_context io_;
  FakeDaemonView view_{instrumentationSnapshots()};
  std::unique_ptr<HttpServer> server_;
  std::thread loop_;
  std::uint16_t port_ = 0;
};

TEST_F(HttpServerTest, AnswersEveryEndpointOnOneKeptAliveConnection) {
  startServer();
  Client client(port_);
  ASSERT_TRUE(client.connected());
  const struct {
    std::string request;
    std::string status;
    std::string type;
    std::string body_part;
  } cases[] = {
      {get("/pools", "Accept: application/json\r\n"), "200", "application/json",
       R"(["api_443", "text_80"])"},
      {get("/pools/text_80"), "200", "text/plain", "cp1001.eqiad.wmnet:\tenabled/up/pooled\n"},
      {get("/pools/api_443/mw1001", "Accept: application/json\r\n"), "200", "application/json",
       R"({"pooled": true, "enabled": true, "up": true, "weight": 10})"},
      {get("/alerts"), "200", "text/plain", "CRITICAL - api_443: Servers mw1002"},
      {get("/metrics"), "200", "text/plain; version=0.0.4", "# TYPE vipd_service_servers gauge"},
      {get("/"), "200", "text/html", "<title>vipd on lvs1001</title>"},
      {get("/nothing", "Accept: application/json\r\n"), "404", "application/json",
       R"({"error": "The desired url was not found"})"},
  };
  for (const auto& each : cases) {
    SCOPED_TRACE(each.request);
    client.send(each.request);
    const auto [header, body] = client.response();
    EXPECT_TRUE(header.starts_with("HTTP/1.1 " + each.status)) << header;
    EXPECT_NE(header.find("Content-Type: " + each.type), std::string::npos) << header;
    EXPECT_NE(body.find(each.body_part), std::string::npos) << body;
  }
}

TEST_F(HttpServerTest, HeadAnswersTheHeaderWithoutABody) {
  startServer();
  Client client(port_);
  client.send("HEAD /pools HTTP/1.1\r\nHost: x\r\n\r\n" + get("/alerts"));
  const auto [header, body] = client.response(true);
  EXPECT_TRUE(header.starts_with("HTTP/1.1 200")) << header;
  EXPECT_NE(header.find("Content-Length: 16"), std::string::npos) << header;
  // The next bytes are the next response, not a body.
  const auto [next, alerts] = client.response();
  EXPECT_TRUE(next.starts_with("HTTP/1.1 200")) << next;
  EXPECT_TRUE(alerts.starts_with("CRITICAL")) << alerts;
}

TEST_F(HttpServerTest, RefusesOtherMethodsAndChangesNothing) {
  startServer();
  for (const auto* method : {"POST", "PUT", "DELETE", "OPTIONS"}) {
    Client client(port_);
    client.send(std::string(method) +
                " /pools/text_80/cp1001.eqiad.wmnet HTTP/1.1\r\nHost: x\r\nContent-Length: 2"
                "\r\n\r\n{}");
    const auto [header, body] = client.response();
    EXPECT_TRUE(header.starts_with("HTTP/1.1 405")) << method << header;
    EXPECT_NE(header.find("Allow: GET, HEAD"), std::string::npos) << header;
    EXPECT_TRUE(client.closedByServer());
  }
}

TEST_F(HttpServerTest, RefusesARequestBody) {
  startServer();
  Client client(port_);
  client.send("GET /pools HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_TRUE(client.response().first.starts_with("HTTP/1.1 413"));
  EXPECT_TRUE(client.closedByServer());
}

TEST_F(HttpServerTest, RefusesAnOversizedHeader) {
  HttpServer::Options options;
  options.max_header_bytes = 8 * 1024;
  startServer(options);
  Client client(port_);
  client.send(get("/pools", "X-Padding: " + std::string(10 * 1024, 'a') + "\r\n"));
  EXPECT_TRUE(client.response().first.starts_with("HTTP/1.1 431"));
  EXPECT_TRUE(client.closedByServer());
}

TEST_F(HttpServerTest, RefusesAMalformedRequest) {
  startServer();
  Client client(port_);
  client.send("GARBAGE\x01 / HTTP/9\r\n\r\n");
  EXPECT_TRUE(client.response().first.starts_with("HTTP/1.1 400"));
  EXPECT_TRUE(client.closedByServer());
}

TEST_F(HttpServerTest, RefusesConnectionsPastTheLimit) {
  HttpServer::Options options;
  options.max_connections = 2;
  startServer(options);

  // Two connections, each answered once and kept open: the server holds both.
  Client first(port_);
  Client second(port_);
  for (auto* client : {&first, &second}) {
    client->send(get("/alerts"));
    ASSERT_TRUE(client->response().first.starts_with("HTTP/1.1 200"));
  }

  Client third(port_);
  ASSERT_TRUE(third.connected());
  EXPECT_TRUE(third.response().first.starts_with("HTTP/1.1 503"));
  EXPECT_TRUE(third.closedByServer());

  // The kept connections still work.
  first.send(get("/pools"));
  EXPECT_TRUE(first.response().first.starts_with("HTTP/1.1 200"));
}

TEST_F(HttpServerTest, ClosesASlowClientAfterTheIdleTimeout) {
  HttpServer::Options options;
  options.idle_timeout = std::chrono::milliseconds(200);
  startServer(options);
  Client client(port_);
  client.send("GET /pools HTTP/1.1\r\nHost: x\r\n");  // and never the blank line
  EXPECT_TRUE(client.closedByServer());
  EXPECT_EQ(client.pending(), "");
}

TEST(HttpServer, StartFailsOnABadAddressOrABusyPort) {
  boost::asio::io_context io;
  FakeDaemonView view{instrumentationSnapshots()};
  HttpServer::Options bad;
  bad.addresses = {"not-an-address"};
  EXPECT_FALSE(HttpServer(io, view, bad).start().has_value());

  HttpServer::Options any;
  any.addresses = {"127.0.0.1"};
  any.port = 0;
  HttpServer first(io, view, any);
  ASSERT_TRUE(first.start().has_value());
  HttpServer::Options busy = any;
  busy.port = first.ports().at(0);
  const auto second = HttpServer(io, view, busy).start();
  ASSERT_FALSE(second.has_value());
  EXPECT_NE(second.error().find("127.0.0.1"), std::string::npos) << second.error();
}

// 192.0.2.77 (TEST-NET-1) is on no interface here: bind() fails with EADDRNOTAVAIL.
TEST(HttpServer, SkipsADefaultAddressTheHostLacksButNotAConfiguredOne) {
  boost::asio::io_context io;
  FakeDaemonView view{instrumentationSnapshots()};
  HttpServer::Options options;
  options.addresses = {"127.0.0.1", "192.0.2.77"};
  options.port = 0;

  options.default_addresses = true;
  HttpServer defaults(io, view, options);
  ASSERT_TRUE(defaults.start().has_value());
  EXPECT_EQ(defaults.ports().size(), 1u);

  options.default_addresses = false;
  const auto configured = HttpServer(io, view, options).start();
  ASSERT_FALSE(configured.has_value());
  EXPECT_NE(configured.error().find("192.0.2.77"), std::string::npos) << configured.error();

  options.addresses = {"192.0.2.77"};
  options.default_addresses = true;
  EXPECT_FALSE(HttpServer(io, view, options).start().has_value());
}

}  // namespace
}  // namespace vipd::control
