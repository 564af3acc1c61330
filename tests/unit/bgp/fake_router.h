// FakeRouter: a BGP router for the session tests, on loopback port 0, speaking through
// vipd's codec on the test's io_context. It answers an OPEN with its own OPEN and a
// KEEPALIVE and keeps every message it receives. runUntil() runs the loop until a condition
// holds, with a bound, so that a broken session fails a test instead of hanging it.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <boost/asio.hpp>
#include <filesystem>
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
    io.restart();  // a loop that ran out of work stays stopped until restarted
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
// it receives, over every connection it accepts (each read to its end, so that a new
// connection does not lose what the old one still had). When vipd closes a connection, the
// router closes its side too (unless told to keep it open), as a router does.
class FakeRouter {
 public:
  explicit FakeRouter(asio::io_context& io) : io_(io), acceptor_(io, {tcp::v4(), 0}) {}

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  int acceptorFd() { return acceptor_.native_handle(); }

  // Accepts one connection; it becomes the current one.
  void accept() {
    acceptor_.async_accept([this](const boost::system::error_code& error, tcp::socket socket) {
      if (!error) {
        adopt(std::make_unique<Link>(std::move(socket)));
      }
    });
  }

  // Connects to a listener, as a router that opens the session.
  void connect(std::uint16_t listener_port) {
    links_.push_back(std::make_unique<Link>(tcp::socket(io_)));
    Link* link = links_.back().get();
    link->socket.async_connect({asio::ip::make_address("127.0.0.1"), listener_port},
                               [this, link](const boost::system::error_code& error) {
                                 if (error) {
                                   closed_ = true;
                                   return;
                                 }
                                 adopt(link);
                                 sendOpen();
                               });
  }

  // The kernel's receive buffer of the connections accepted from now on: a burst bigger than
  // it waits in the sender's socket until the router reads.
  void limitReceiveBuffer(int bytes) {
    acceptor_.set_option(asio::socket_base::receive_buffer_size(bytes));
  }
  // The send buffer of vipd's end of the current connection (a descriptor of this process
  // too), fixed small: a burst bigger than both buffers must wait for the router to read.
  void limitPeerSendBuffer(int bytes) {
    const tcp::endpoint ours = current_->socket.local_endpoint();
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
      const int fd = std::stoi(entry.path().filename().string());
      sockaddr_storage peer{};
      socklen_t length = sizeof peer;
      if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) != 0 ||
          peer.ss_family != AF_INET) {
        continue;
      }
      const auto& in = reinterpret_cast<const sockaddr_in&>(peer);
      if (ntohs(in.sin_port) == ours.port()) {
        ASSERT_EQ(::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes), 0);
        return;
      }
    }
    FAIL() << "no socket of this process is connected to the router";
  }
  // Bytes of the current connection that the router has not read yet.
  std::size_t unread() const { return current_->socket.available(); }

  // After vipd's FIN, keep the connection open (a router slow to close) until closeSocket().
  void keepOpenAfterEof() { close_on_eof_ = false; }
  void closeSocket() {
    boost::system::error_code ignored;
    current_->socket.close(ignored);
  }

  void send(std::vector<std::uint8_t> bytes) {
    auto buffer = std::make_shared<std::vector<std::uint8_t>>(std::move(bytes));
    asio::async_write(current_->socket, asio::buffer(*buffer),
                      [buffer](const boost::system::error_code&, std::size_t) {});
  }

  void sendOpen() {
    if (std::exchange(current_->open_sent, true)) {
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
  bool closed() const { return closed_; }  // vipd closed the current connection
  bool reset() const { return reset_; }    // vipd reset it instead of closing it in order
  int connections() const { return connections_; }

 private:
  struct Link {
    explicit Link(tcp::socket s) : socket(std::move(s)) {}
    tcp::socket socket;
    std::vector<std::uint8_t> in;
    CodecContext context;
    bool open_sent = false;
  };
  void adopt(std::unique_ptr<Link> link) {
    links_.push_back(std::move(link));
    adopt(links_.back().get());
  }
  void adopt(Link* link) {
    current_ = link;
    ++connections_;
    closed_ = false;
    reset_ = false;
    read(current_);
  }

  // Handlers hold the Link by address: links_ keeps every one until the router goes.
  void read(Link* link) {
    const std::size_t used = link->in.size();
    link->in.resize(used + 4096);
    link->socket.async_read_some(
        asio::buffer(link->in.data() + used, 4096),
        [this, link, used](const boost::system::error_code& error, std::size_t n) {
          link->in.resize(used + n);
          if (error) {
            lost(link, error);
            return;
          }
          parse(*link);
          read(link);
        });
  }

  void lost(Link* link, const boost::system::error_code& error) {
    if (link == current_) {
      closed_ = true;
      reset_ = error == asio::error::connection_reset;
    }
    if (close_on_eof_ || link != current_) {
      boost::system::error_code ignored;
      link->socket.close(ignored);
    }
  }

  void parse(Link& link) {
    while (true) {
      const auto needed = nextMessageSize(link.in, link.context);
      if (!needed || link.in.size() < *needed) {
        return;
      }
      auto message = decode(std::span(link.in).first(*needed), link.context);
      link.in.erase(link.in.begin(), link.in.begin() + static_cast<std::ptrdiff_t>(*needed));
      if (!message) {
        continue;
      }
      if (std::holds_alternative<Open>(*message) && &link == current_) {
        sendOpen();
        link.context = negotiatedContext();
      }
      messages_.push_back(std::move(*message));
    }
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  std::vector<std::unique_ptr<Link>> links_;
  Link* current_ = nullptr;
  std::vector<Message> messages_;
  bool closed_ = false;
  bool reset_ = false;
  bool close_on_eof_ = true;
  int connections_ = 0;
};

}  // namespace vipd::bgp::fake
