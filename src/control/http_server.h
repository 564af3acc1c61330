// HttpServer: the HTTP instrumentation's listener (Boost.Beast, HTTP/1.1 with keep-alive) on
// the configured addresses, by default 127.0.0.1 and ::1 on port 9090 as PyBal. It answers
// GET and HEAD through HttpRouter and never changes anything: other methods get 405, a
// request body 413, a header over max_header_bytes 431, a malformed request 400; past
// max_connections a new connection gets 503 and is closed; a connection idle (or a request
// unfinished) for idle_timeout is closed.
//
// It runs on the daemon's io_context and thread, like every DaemonView call. Beast and Asio
// stay in http_server.cc.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "control/daemon_view.h"

namespace boost::asio {
class io_context;
}

namespace vipd::control {

class HttpServer {
 public:
  struct Options {
    std::vector<std::string> addresses = {"127.0.0.1", "::1"};
    // The addresses are the defaults, not the operator's: one the host does not have (no
    // IPv6 loopback) is skipped with a warning, as long as another one is bound.
    bool default_addresses = false;
    std::uint16_t port = 9090;  // 0: any free port (tests)
    std::size_t max_connections = 64;
    std::size_t max_header_bytes = 8 * 1024;
    std::chrono::milliseconds idle_timeout{30'000};
  };

  // `view` must outlive the server; the server may be destroyed while connections are open.
  HttpServer(boost::asio::io_context& io, const DaemonView& view, Options options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens on every configured address; an error names each address that failed
  // (nothing is left listening then).
  std::expected<void, std::string> start();

  // Stops listening and closes every connection.
  void stop();

  // The bound ports, one per address in the configured order (useful with port 0).
  std::vector<std::uint16_t> ports() const;

  // The connections open now (rejected ones not counted).
  std::size_t connections() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace vipd::control
