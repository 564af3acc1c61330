#include "bgp/listener.h"

#include <boost/asio.hpp>
#include <map>

#include "bgp/asio_address.h"
#include "bgp/session.h"
#include "bgp/socket_options.h"
#include "common/log.h"

namespace vipd::bgp {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

}  // namespace

class Listener::Impl {
 public:
  Impl(asio::io_context& io, Lookup lookup)
      : io_(io), lookup_(std::move(lookup)), log_(vipd::log::get("bgp")) {}
  ~Impl() { close(); }

  std::expected<void, std::string> listen(const tcp::endpoint& endpoint, bool dual_stack) {
    auto acceptor = std::make_shared<tcp::acceptor>(io_);
    boost::system::error_code ec;
    acceptor->open(endpoint.protocol(), ec);
    if (!ec && endpoint.protocol() == tcp::v6()) {
      acceptor->set_option(asio::ip::v6_only(!dual_stack), ec);
    }
    if (!ec) {
      acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
      acceptor->bind(endpoint, ec);
    }
    if (!ec) {
      acceptor->listen(asio::socket_base::max_listen_connections, ec);
    }
    std::string where = fromAsio(endpoint.address()).withPort(endpoint.port());
    if (ec) {
      return std::unexpected("listen " + where + ": " + ec.message());
    }
    where = fromAsio(endpoint.address()).withPort(acceptor->local_endpoint().port());
    const bool v6 = endpoint.protocol() == tcp::v6();
    for (const auto& [peer, password] : keys_) {
      if (!v6 && !peer.isV4()) {
        continue;
      }
      if (auto set = bgp::setMd5Key(acceptor->native_handle(), v6, peer, password); !set) {
        return std::unexpected("listen " + where + ": " + set.error());
      }
    }
    log_->info("listening address={}", where);
    acceptors_.push_back(acceptor);
    accept(acceptor);
    return {};
  }

  std::expected<void, std::string> addKey(const IpAddress& peer, std::string_view password) {
    keys_[peer] = std::string(password);
    for (const auto& acceptor : acceptors_) {
      const bool v6 = acceptor->local_endpoint().protocol() == tcp::v6();
      if (!v6 && !peer.isV4()) {
        continue;
      }
      if (auto set = bgp::setMd5Key(acceptor->native_handle(), v6, peer, password); !set) {
        return set;
      }
    }
    return {};
  }

  std::vector<std::pair<IpAddress, std::uint16_t>> endpoints() const {
    std::vector<std::pair<IpAddress, std::uint16_t>> out;
    for (const auto& acceptor : acceptors_) {
      boost::system::error_code ec;
      const auto endpoint = acceptor->local_endpoint(ec);
      if (!ec) {
        out.emplace_back(fromAsio(endpoint.address()), endpoint.port());
      }
    }
    return out;
  }

  void close() {
    for (const auto& acceptor : acceptors_) {
      boost::system::error_code ignored;
      acceptor->close(ignored);
    }
    acceptors_.clear();
  }

 private:
  void accept(const std::shared_ptr<tcp::acceptor>& acceptor) {
    acceptor->async_accept([this, weak = std::weak_ptr<tcp::acceptor>(acceptor)](
                               const boost::system::error_code& error, tcp::socket socket) {
      const auto acceptor_alive = weak.lock();
      if (!acceptor_alive || !acceptor_alive->is_open()) {
        return;
      }
      if (!error) {
        handOver(std::move(socket));
      } else {
        log_->warn("accept failed error=\"{}\"", error.message());
      }
      accept(acceptor_alive);
    });
  }

  void handOver(tcp::socket socket) {
    boost::system::error_code ec;
    const auto remote = socket.remote_endpoint(ec);
    if (ec) {
      return;
    }
    const IpAddress peer = fromAsio(remote.address());
    Session* session = lookup_(peer);
    if (session == nullptr) {
      log_->warn("connection from unknown peer refused address={}", peer.withPort(remote.port()));
      socket.close(ec);
      return;
    }
    log_->debug("connection accepted peer={} address={}", session->name(),
                peer.withPort(remote.port()));
    session->adoptIncoming(socket.release());
  }

  asio::io_context& io_;
  Lookup lookup_;
  std::shared_ptr<spdlog::logger> log_;
  std::vector<std::shared_ptr<tcp::acceptor>> acceptors_;
  std::map<IpAddress, std::string> keys_;
};

Listener::Listener(asio::io_context& io, Lookup lookup)
    : impl_(std::make_unique<Impl>(io, std::move(lookup))) {}

Listener::~Listener() = default;

std::expected<void, std::string> Listener::listen(const IpAddress& address, std::uint16_t port) {
  return impl_->listen(tcp::endpoint(toAsio(address), port), false);
}

std::expected<void, std::string> Listener::listenAny(std::uint16_t port) {
  return impl_->listen(tcp::endpoint(tcp::v6(), port), true);
}

std::expected<void, std::string> Listener::setMd5Key(const IpAddress& peer,
                                                     std::string_view password) {
  return impl_->addKey(peer, password);
}

std::vector<std::pair<IpAddress, std::uint16_t>> Listener::endpoints() const {
  return impl_->endpoints();
}

void Listener::close() {
  impl_->close();
}

}  // namespace vipd::bgp
