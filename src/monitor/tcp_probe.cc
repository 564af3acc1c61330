#include "monitor/tcp_probe.h"

#include <fmt/format.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <utility>

#include "monitor/net_util.h"

namespace vipd::monitor {

namespace asio = boost::asio;
using asio::ip::tcp;

class TcpProbe::Check : public std::enable_shared_from_this<Check> {
 public:
  Check(asio::io_context& io, const config::TcpParams& params, Done done)
      : socket_(io), params_(params), done_(std::move(done)) {}

  void run(const tcp::endpoint& endpoint) {
    socket_.async_connect(
        endpoint, [self = shared_from_this()](const auto& error) { self->afterConnect(error); });
  }

  void abandon() {
    done_ = nullptr;
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

 private:
  void afterConnect(const boost::system::error_code& error) {
    if (!done_) {
      return;
    }
    if (error) {
      return finish(false, failure("connect", error));
    }
    if (params_.send) {
      return send();
    }
    if (params_.expect) {
      return receive();
    }
    finish(true, "connected");
  }

  void send() {
    asio::async_write(
        socket_, asio::buffer(*params_.send),
        [self = shared_from_this()](const auto& error, std::size_t) { self->afterSend(error); });
  }

  void afterSend(const boost::system::error_code& error) {
    if (!done_) {
      return;
    }
    if (error) {
      return finish(false, failure("send", error));
    }
    if (params_.expect) {
      return receive();
    }
    finish(true, "connected, sent");
  }

  // Reads exactly as many bytes as expected: the reply must start with them, the rest is
  // not needed.
  void receive() {
    reply_.resize(params_.expect->size());
    asio::async_read(socket_, asio::buffer(reply_),
                     [self = shared_from_this()](const auto& error, std::size_t size) {
                       self->afterReceive(error, size);
                     });
  }

  void afterReceive(const boost::system::error_code& error, std::size_t size) {
    if (!done_) {
      return;
    }
    reply_.resize(size);
    if (reply_ == *params_.expect) {
      return finish(true, "connected, reply matches");
    }
    if (error && error != asio::error::eof) {
      return finish(false, failure("receive", error));
    }
    finish(false, fmt::format("reply \"{}\" does not start with \"{}\"", printable(reply_),
                              printable(*params_.expect)));
  }

  void finish(bool up, std::string message) {
    auto done = std::move(done_);
    done_ = nullptr;
    boost::system::error_code ignored;
    socket_.close(ignored);
    done(ProbeResult{up, std::move(message), {}});
  }

  tcp::socket socket_;
  // The probe's parameters: read only while done_ is set, i.e. while the probe is alive.
  const config::TcpParams& params_;
  std::string reply_;
  Done done_;
};

TcpProbe::TcpProbe(asio::io_context& io, IpAddress address, std::uint16_t port,
                   config::TcpParams params)
    : io_(io), address_(address), port_(port), params_(std::move(params)) {}

TcpProbe::~TcpProbe() {
  cancel();
}

void TcpProbe::start(Done done) {
  cancel();
  auto check = std::make_shared<Check>(io_, params_, std::move(done));
  check->run(tcp::endpoint(toAsio(address_), port_));
  check_ = check;
}

void TcpProbe::cancel() {
  if (const auto check = check_.lock()) {
    check->abandon();
  }
  check_.reset();
}

}  // namespace vipd::monitor
