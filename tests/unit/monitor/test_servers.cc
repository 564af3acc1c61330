#include "test_servers.h"

#include <sys/socket.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <list>

namespace vipd::monitor::testing {

namespace asio = boost::asio;
using asio::ip::tcp;

bool runUntil(asio::io_context& io, const std::function<bool()>& done,
              std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_one_for(std::chrono::milliseconds(20));
  }
  return done();
}

std::uint16_t unusedTcpPort() {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  return acceptor.local_endpoint().port();
}

std::unique_ptr<Watched> watch(asio::io_context& io, const config::MonitorConfig& config,
                               std::uint16_t port, const std::string& address) {
  auto watched = std::make_unique<Watched>();
  Target target{"test", "localhost", *IpAddress::parse(address), port};
  watched->monitor = makeMonitor(
      io, config, std::move(target),
      [raw = watched.get()](Monitor&, Verdict, Verdict to) { raw->verdicts.push_back(to); });
  return watched;
}

config::MonitorConfig testConfig(config::MonitorKind kind, config::MonitorParams params) {
  config::MonitorConfig config;
  config.name = "test";
  config.kind = kind;
  config.interval = std::chrono::milliseconds(20);
  config.timeout = std::chrono::milliseconds(500);
  config.jitter = 0;
  config.params = std::move(params);
  return config;
}

// --- TcpServer -----------------------------------------------------------------------------

struct TcpServer::Impl : std::enable_shared_from_this<Impl> {
  struct Connection {
    explicit Connection(asio::io_context& io) : socket(io), timer(io) {}
    tcp::socket socket;
    asio::steady_timer timer;
    std::array<char, 1024> buffer{};
  };

  Impl(asio::io_context& io_in, Mode mode_in, std::string reply_in,
       std::chrono::milliseconds delay_in)
      : io(io_in), acceptor(io_in), mode(mode_in), reply(std::move(reply_in)), delay(delay_in) {}

  void listen(std::uint16_t wanted) {
    const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), wanted);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen();
    port = acceptor.local_endpoint().port();
    accept();
  }

  void accept() {
    auto connection = std::make_shared<Connection>(io);
    acceptor.async_accept(connection->socket,
                          [self = shared_from_this(), connection](const auto& error) {
                            if (error) {
                              return;
                            }
                            ++self->accepted;
                            self->serve(connection);
                            self->accept();
                          });
  }

  void serve(const std::shared_ptr<Connection>& connection) {
    switch (mode) {
      case Mode::CloseCleanly:
        return closeCleanly(*connection);
      case Mode::Reset:
        return reset(*connection);
      case Mode::Silent:
        held.push_back(connection);
        return;
      case Mode::Hold:
        held.push_back(connection);
        return read(connection);
      case Mode::Reply:
        held.push_back(connection);
        asio::async_write(connection->socket, asio::buffer(reply), [](const auto&, auto) {});
        return read(connection);
      case Mode::Slow:
        held.push_back(connection);
        connection->timer.expires_after(delay);
        connection->timer.async_wait([self = shared_from_this(), connection](const auto& error) {
          if (!error) {
            asio::async_write(connection->socket, asio::buffer(self->reply),
                              [](const auto&, auto) {});
          }
        });
        return read(connection);
    }
  }

  void read(const std::shared_ptr<Connection>& connection) {
    connection->socket.async_read_some(
        asio::buffer(connection->buffer),
        [self = shared_from_this(), connection](const auto& error, std::size_t size) {
          if (error) {
            return;
          }
          self->received.append(connection->buffer.data(), size);
          self->read(connection);
        });
  }

  static void closeCleanly(Connection& connection) {
    boost::system::error_code ignored;
    connection.socket.shutdown(tcp::socket::shutdown_both, ignored);
    connection.socket.close(ignored);
  }

  static void reset(Connection& connection) {
    boost::system::error_code ignored;
    connection.socket.set_option(asio::socket_base::linger(true, 0), ignored);
    connection.socket.close(ignored);
  }

  asio::io_context& io;
  tcp::acceptor acceptor;
  Mode mode;
  std::string reply;
  std::chrono::milliseconds delay;
  std::uint16_t port = 0;
  std::size_t accepted = 0;
  std::string received;
  std::list<std::shared_ptr<Connection>> held;
};

TcpServer::TcpServer(asio::io_context& io, Mode mode, std::string reply,
                     std::chrono::milliseconds delay)
    : impl_(std::make_shared<Impl>(io, mode, std::move(reply), delay)) {
  impl_->listen(0);
}

TcpServer::~TcpServer() {
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
  for (auto& connection : impl_->held) {
    connection->socket.close(ignored);
    connection->timer.cancel();
  }
}

std::uint16_t TcpServer::port() const {
  return impl_->port;
}
std::size_t TcpServer::accepted() const {
  return impl_->accepted;
}
std::size_t TcpServer::held() const {
  return impl_->held.size();
}
const std::string& TcpServer::received() const {
  return impl_->received;
}
void TcpServer::setMode(Mode mode) {
  impl_->mode = mode;
}

void TcpServer::closeAll() {
  for (auto& connection : impl_->held) {
    Impl::closeCleanly(*connection);
  }
  impl_->held.clear();
}

void TcpServer::resetAll() {
  for (auto& connection : impl_->held) {
    Impl::reset(*connection);
  }
  impl_->held.clear();
}

void TcpServer::stopListening() {
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
}

void TcpServer::listenAgain() {
  impl_->listen(impl_->port);
}

}  // namespace vipd::monitor::testing
