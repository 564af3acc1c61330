// fake_vipd: a control socket over FakeDaemonView, for vipc's golden and terminal tests.
// Usage: fake_vipd SOCKET [READ_ONLY_SOCKET]; prints "ready" once listening and stops on
// SIGTERM, SIGINT or `vipc down`.
#include <boost/asio.hpp>
#include <csignal>
#include <cstdio>

#include "../control/fake_daemon_view.h"
#include "control/control_server.h"

namespace {

// The fake's `down`, as the daemon's: the reply is written before the loop stops.
class StoppingView : public vipd::control::testing::FakeDaemonView {
 public:
  explicit StoppingView(boost::asio::io_context& io) : io_(io) {}
  vipd::control::CommandResult shutdown(const vipd::control::Caller& caller) override {
    boost::asio::post(io_, [this] { io_.stop(); });
    return FakeDaemonView::shutdown(caller);
  }

 private:
  boost::asio::io_context& io_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs("usage: fake_vipd SOCKET [READ_ONLY_SOCKET]\n", stderr);
    return 2;
  }
  boost::asio::io_context io;
  StoppingView view(io);
  vipd::control::ControlServerOptions options;
  options.path = argv[1];
  if (argc > 2) {
    options.read_only_path = argv[2];
  }
  vipd::control::ControlServer server(io, view, options);
  if (auto started = server.start(); !started) {
    std::fprintf(stderr, "fake_vipd: %s\n", started.error().c_str());
    return 1;
  }
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&io](auto, int) { io.stop(); });
  std::puts("ready");
  std::fflush(stdout);
  io.run();
  server.stop();
  return 0;
}
