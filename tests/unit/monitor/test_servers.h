// Small real servers on loopback port 0 for the monitor tests, run by the test's own
// io_context. Asio stays in test_servers.cc.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/model.h"
#include "monitor/monitor.h"

namespace boost::asio {
class io_context;
}

namespace vipd::monitor::testing {

// Runs the loop until `done` holds or `limit` passes (the limit only keeps a broken test from
// hanging; no test asserts on how long anything took). Returns done().
bool runUntil(boost::asio::io_context& io, const std::function<bool()>& done,
              std::chrono::milliseconds limit = std::chrono::seconds(10));

// A monitor from makeMonitor on 127.0.0.1:port (server "localhost", service "test") whose
// listener records each verdict it is told about.
struct Watched {
  std::vector<Verdict> verdicts;
  std::unique_ptr<Monitor> monitor;

  Verdict verdict() const { return monitor->verdict(); }
  const Counters& counters() const { return monitor->counters(); }
  const std::string& message() const { return monitor->lastResult().message; }
};
std::unique_ptr<Watched> watch(boost::asio::io_context& io, const config::MonitorConfig& config,
                               std::uint16_t port, const std::string& address = "127.0.0.1");

// A config for tests: interval 20 ms, no jitter, and a timeout of 5 s that only a stuck check
// reaches (tests of the timeout set their own).
config::MonitorConfig testConfig(config::MonitorKind kind, config::MonitorParams params);

// A TCP port on 127.0.0.1 with nothing listening (bound once, then closed): connects to it
// are refused.
std::uint16_t unusedTcpPort();

// TcpServer: listens on 127.0.0.1, port 0, and treats each accepted connection by its mode.
class TcpServer {
 public:
  enum class Mode : std::uint8_t {
    CloseCleanly,  // closes at once (FIN)
    Reset,         // closes at once with SO_LINGER 0 (RST)
    Silent,        // holds the connection, never reads or writes
    Hold,          // holds the connection, reads and keeps what the client sends
    Reply,         // writes `reply` at once, then holds and reads
    Slow,          // writes `reply` after `delay`, then holds and reads
  };

  TcpServer(boost::asio::io_context& io, Mode mode, std::string reply = {},
            std::chrono::milliseconds delay = std::chrono::milliseconds(0));
  ~TcpServer();

  std::uint16_t port() const;
  std::size_t accepted() const;
  std::size_t held() const;
  // Everything read from every client, in order of arrival.
  const std::string& received() const;

  void setMode(Mode mode);
  // FIN or RST on every held connection.
  void closeAll();
  void resetAll();
  // Stops accepting (connects are refused) and listens again on the same port.
  void stopListening();
  void listenAgain();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

struct HttpResponse {
  unsigned status = 200;
  std::string body;
  std::string headers;  // extra header lines, each ending in \r\n
};

// HttpServer: answers each request by its target (path and query; then by path alone) from
// `routes`, 404 for anything else, with Content-Length and `Connection: close`, then closes.
// With tls, it speaks TLS with a self-signed certificate for "localhost", made at start.
class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, std::map<std::string, HttpResponse> routes,
             bool tls = false);
  ~HttpServer();

  std::uint16_t port() const;
  // Each request's head (request line and header lines), as received.
  const std::vector<std::string>& requests() const;
  // The SNI name of each completed TLS handshake ("" when the client sent none).
  const std::vector<std::string>& serverNames() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// DnsServer: UDP and TCP on 127.0.0.1, the same port number, answering each query by its mode.
class DnsServer {
 public:
  enum class Mode : std::uint8_t {
    Answer,  // NOERROR with one answer of the type asked (127.0.0.1 or ::1)
    Empty,   // NOERROR, no answer
    NxDomain,
    ServFail,
    Refused,
    Truncated,   // over UDP: TC set, no answer; over TCP: as Answer
    WrongFirst,  // over UDP: a reply with another id, then the right one (as Answer)
    Garbage,     // over UDP: the right id, then a name that runs off the end
  };

  DnsServer(boost::asio::io_context& io, Mode mode);
  ~DnsServer();

  std::uint16_t port() const;
  std::size_t udpQueries() const;
  std::size_t tcpQueries() const;
  // The QTYPE of each query, UDP and TCP alike.
  const std::vector<std::uint16_t>& types() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// UdpServer: a UDP socket on 127.0.0.1 (port 0 unless given); echoes each datagram back when
// `echo`, else keeps silent. Counts what it receives.
class UdpServer {
 public:
  UdpServer(boost::asio::io_context& io, bool echo, std::uint16_t port = 0);
  ~UdpServer();

  std::uint16_t port() const;
  std::size_t datagrams() const;
  const std::string& lastPayload() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// A UDP port on 127.0.0.1 with nothing bound: datagrams to it draw ICMP port unreachable.
std::uint16_t unusedUdpPort();

}  // namespace vipd::monitor::testing
