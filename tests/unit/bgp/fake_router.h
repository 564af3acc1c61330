// FakeRouter: a BGP router for the session tests, on loopback port 0, speaking through
// vipd's codec on the test's io_context. It answers an OPEN with its own OPEN and a
// KEEPALIVE and keeps every message it receives. runUntil() runs the loop until a condition
// holds, with a bound, so that a broken session fails a test instead of hanging it.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "bgp/codec.h"
#include "bgp/framing.h"

namespace vipd::bgp::fake {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr std::uint32_t kRouterAs = 65000;
constexpr std::uint32_t kLocalAs = 64512;

inline bool runUntil(asio::io_context& io, const std::function<bool()>& done) {
  for (int i = 0; i < 500 && !done(); ++i) {
    io.run_for(std::chrono::milliseconds(10));
  }
  return done();
}

inline CodecContext negotiatedContext() {
  CodecContext context;
  context.four_octet_as = true;
  context.ipv6_unicast = true;
  return context;
}

// A router that answers an OPEN with its own OPEN and a KEEPALIVE, and keeps every message
// it receives.
class FakeRouter {
 public:
  explicit FakeRouter(asio::io_context& io) : io_(io), acceptor_(io, {tcp::v4(), 0}) {}

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  int acceptorFd() { return acceptor_.native_handle(); }

  void accept() {
    acceptor_.async_accept([this](const boost::system::error_code& error, tcp::socket socket) {
      if (!error) {
        socket_ = std::make_unique<tcp::socket>(std::move(socket));
        read();
      }
    });
  }

  // Connects to a listener, as a router that opens the session.
  void connect(std::uint16_t listener_port) {
    socket_ = std::make_unique<tcp::socket>(io_);
    socket_->async_connect({asio::ip::make_address("127.0.0.1"), listener_port},
                           [this](const boost::system::error_code& error) {
                             if (!error) {
                               sendOpen();
                               read();
                             } else {
                               closed_ = true;
                             }
                           });
  }

  void send(std::vector<std::uint8_t> bytes) {
    auto buffer = std::make_shared<std::vector<std::uint8_t>>(std::move(bytes));
    asio::async_write(*socket_, asio::buffer(*buffer),
                      [buffer](const boost::system::error_code&, std::size_t) {});
  }

  void sendOpen() {
    if (std::exchange(open_sent_, true)) {
      return;
    }
    Open open;
    open.my_as = static_cast<std::uint16_t>(kRouterAs);
    open.hold_time = 90;
    open.bgp_identifier = 0x0AFF0001;
    open.capabilities = {MultiprotocolCapability{kIpv4Unicast},
                         MultiprotocolCapability{kIpv6Unicast}, FourOctetAsCapability{kRouterAs}};
    std::vector<std::uint8_t> bytes;
    ASSERT_TRUE(encodeOpen(open, bytes));
    encodeKeepalive(bytes);
    send(std::move(bytes));
  }

  void sendUpdate() {
    Update update;
    update.attributes.origin = Origin::Igp;
    update.attributes.as_path = AsPath::sequence({kRouterAs});
    update.attributes.next_hop = IpAddress::parse("127.0.0.1");
    update.nlri = {*Prefix::parse("203.0.113.0/24")};
    std::vector<std::uint8_t> bytes;
    ASSERT_TRUE(encodeUpdate(update, negotiatedContext(), bytes));
    send(std::move(bytes));
  }

  template <typename T>
  std::vector<T> received() const {
    std::vector<T> out;
    for (const Message& message : messages_) {
      if (const auto* m = std::get_if<T>(&message)) {
        out.push_back(*m);
      }
    }
    return out;
  }
  bool closed() const { return closed_; }

 private:
  void read() {
    const std::size_t used = in_.size();
    in_.resize(used + 4096);
    socket_->async_read_some(asio::buffer(in_.data() + used, 4096),
                             [this, used](const boost::system::error_code& error, std::size_t n) {
                               in_.resize(used + n);
                               if (error) {
                                 closed_ = true;
                                 return;
                               }
                               parse();
                               read();
                             });
  }

  void parse() {
    while (true) {
      const auto needed = nextMessageSize(in_, context_);
      if (!needed || in_.size() < *needed) {
        return;
      }
      auto message = decode(std::span(in_).first(*needed), context_);
      in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(*needed));
      if (!message) {
        continue;
      }
      if (std::holds_alternative<Open>(*message)) {
        sendOpen();
        context_ = negotiatedContext();
      }
      messages_.push_back(std::move(*message));
    }
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  std::unique_ptr<tcp::socket> socket_;
  std::vector<std::uint8_t> in_;
  std::vector<Message> messages_;
  CodecContext context_;
  bool closed_ = false;
  bool open_sent_ = false;
};

}  // namespace vipd::bgp::fake
