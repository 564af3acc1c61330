// Serves the HTTP instrumentation on 127.0.0.1 (a free port, printed on stdout) with the fake
// daemon view of the unit tests, for the browser test. Runs until killed.
#include <boost/asio/io_context.hpp>
#include <cstdio>

#include "control/http_server.h"
#include "instrumentation_snapshots.h"

int main() {
  boost::asio::io_context io;
  vipd::control::testing::FakeDaemonView view{vipd::control::testing::instrumentationSnapshots()};
  vipd::control::HttpServer::Options options;
  options.addresses = {"127.0.0.1"};
  options.port = 0;
  vipd::control::HttpServer server(io, view, options);
  if (auto started = server.start(); !started) {
    std::fprintf(stderr, "status_page_server: %s\n", started.error().c_str());
    return 1;
  }
  std::printf("%u\n", unsigned{server.ports().at(0)});
  std::fflush(stdout);
  io.run();
  return 0;
}
