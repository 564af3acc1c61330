#include "control/http_server.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <list>
#include <optional>

#include "common/log.h"
#include "control/http_router.h"

namespace vipd::control {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// What every connection shares with the server; held by each connection, so that a server
// destroyed with connections still open leaves them something valid to finish with.
struct Shared {
  Shared(const DaemonView& view, HttpServer::Options given)
      : router(view), options(std::move(given)) {}

  HttpRouter router;
  HttpServer::Options options;
  std::size_t active = 0;
  std::list<std::weak_ptr<beast::tcp_stream>> streams;
};

bool isQuietEnd(const beast::error_code& error) {
  return error == http::error::end_of_stream || error == beast::error::timeout ||
         error == asio::error::eof || error == asio::error::connection_reset ||
         error == asio::error::operation_aborted || error == asio::error::bad_descriptor;
}

// One connection: read a request header, answer, repeat while keep-alive holds.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Shared> shared, bool counted)
      : stream_(std::make_shared<beast::tcp_stream>(std::move(socket))),
        shared_(std::move(shared)),
        counted_(counted),
        buffer_(shared_->options.max_header_bytes * 2) {
    if (counted_) {
      ++shared_->active;
    }
    shared_->streams.push_back(stream_);
    self_in_list_ = std::prev(shared_->streams.end());
  }

  ~Session() {
    if (counted_) {
      --shared_->active;
    }
    shared_->streams.erase(self_in_list_);
  }

  void start() { doRead(); }

  void reject() { reply({503, "text/plain", "Too many connections.\n", {}}, false, false); }

 private:
  void doRead() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_->options.max_header_bytes));
    stream_->expires_after(shared_->options.idle_timeout);
    http::async_read_header(*stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code error, std::size_t) {
                              self->afterRead(error);
                            });
  }

  void afterRead(beast::error_code error) {
    if (error == http::error::header_limit || error == http::error::buffer_overflow) {
      return reply({431, "text/plain", "Request header too large.\n", {}}, false, false);
    }
    if (error && isQuietEnd(error)) {
      return close();
    }
    if (error) {
      vipd::log::get("control")->debug("http bad request error=\"{}\"", error.message());
      return reply({400, "text/plain", "Bad request.\n", {}}, false, false);
    }

    const auto& request = parser_->get();
    const bool head = request.method() == http::verb::head;
    std::vector<std::string> accept;
    const auto [first, last] = request.equal_range(http::field::accept);
    for (auto field = first; field != last; ++field) {
      accept.emplace_back(field->value());
    }

    auto answer = shared_->router.route(request.method_string(), request.target(), accept);
    if (answer.status == 405) {
      return reply(std::move(answer), false, false);
    }
    // A body is never read: after the header, a complete message has none.
    if (!parser_->is_done()) {
      return reply({413, "text/plain", "The instrumentation accepts no request body.\n", {}}, false,
                   false);
    }
    const bool keep_alive = request.keep_alive();
    reply(std::move(answer), keep_alive, head);
  }

  void reply(HttpReply answer, bool keep_alive, bool head) {
    response_ = {};
    response_.version(11);
    response_.result(answer.status);
    response_.set(http::field::server, "vipd");
    response_.set(http::field::content_type, answer.content_type);
    response_.set(http::field::cache_control, "no-store");
    response_.set("X-Content-Type-Options", "nosniff");
    for (const auto& [name, value] : answer.headers) {
      response_.set(name, value);
    }
    response_.body() = std::move(answer.body);
    response_.keep_alive(keep_alive);
    response_.prepare_payload();
    keep_alive_ = keep_alive;

    stream_->expires_after(shared_->options.idle_timeout);
    const auto done = [self = shared_from_this()](beast::error_code error, std::size_t) {
      self->afterWrite(error);
    };
    if (head) {
      head_response_ = http::response<http::empty_body>(response_.base());
      return http::async_write(*stream_, head_response_, done);
    }
    http::async_write(*stream_, response_, done);
  }

  void afterWrite(beast::error_code error) {
    if (error || !keep_alive_) {
      return close();
    }
    doRead();
  }

  void close() {
    beast::error_code ignored;
    stream_->socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_->close();
  }

  std::shared_ptr<beast::tcp_stream> stream_;
  std::shared_ptr<Shared> shared_;
  bool counted_;
  std::list<std::weak_ptr<beast::tcp_stream>>::iterator self_in_list_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> parser_;
  http::response<http::string_body> response_;
  http::response<http::empty_body> head_response_;
  bool keep_alive_ = false;
};

}  // namespace

class HttpServer::Impl {
 public:
  Impl(asio::io_context& io, const DaemonView& view, Options options)
      : io_(io), shared_(std::make_shared<Shared>(view, std::move(options))) {}

  std::expected<void, std::string> start() {
    std::vector<std::string> failures;
    for (const auto& address : shared_->options.addresses) {
      auto bound = listen(address);
      if (!bound && shared_->options.default_addresses && bound.error().host_lacks_address) {
        vipd::log::get("control")->warn(
            "http default address skipped: this host does not have it address={} error=\"{}\"",
            address, bound.error().message);
      } else if (!bound) {
        failures.push_back(bound.error().message);
      }
    }
    if (failures.empty() && acceptors_.empty()) {
      failures.push_back("none of the default addresses exists on this host");
    }
    if (!failures.empty()) {
      stop();
      return std::unexpected(fmt::format("{}", fmt::join(failures, "; ")));
    }
    for (auto& acceptor : acceptors_) {
      doAccept(*acceptor);
    }
    return {};
  }

  void stop() {
    for (auto& acceptor : acceptors_) {
      beast::error_code ignored;
      acceptor->close(ignored);
    }
    for (auto& weak : shared_->streams) {
      if (auto stream = weak.lock()) {
        stream->cancel();
        stream->close();
      }
    }
  }

  std::vector<std::uint16_t> ports() const {
    std::vector<std::uint16_t> ports;
    for (const auto& acceptor : acceptors_) {
      beast::error_code error;
      const auto endpoint = acceptor->local_endpoint(error);
      ports.push_back(error ? 0 : endpoint.port());
    }
    return ports;
  }

  std::size_t connections() const { return shared_->active; }

 private:
  struct ListenFailure {
    std::string message;
    bool host_lacks_address = false;  // EADDRNOTAVAIL, or no IPv6 at all
  };

  std::expected<void, ListenFailure> listen(const std::string& address) {
    beast::error_code error;
    const auto ip = asio::ip::make_address(address, error);
    if (error) {
      return std::unexpected(ListenFailure{fmt::format("{}: not an IP address", address)});
    }
    const tcp::endpoint endpoint(ip, shared_->options.port);
    auto acceptor = std::make_unique<tcp::acceptor>(io_);
    acceptor->open(endpoint.protocol(), error);
    if (!error && ip.is_v6()) {
      acceptor->set_option(asio::ip::v6_only(true), error);
    }
    if (!error) {
      acceptor->set_option(asio::socket_base::reuse_address(true), error);
    }
    if (!error) {
      acceptor->bind(endpoint, error);
    }
    if (!error) {
      acceptor->listen(asio::socket_base::max_listen_connections, error);
    }
    if (error) {
      const bool lacks = error == boost::system::errc::address_not_available ||
                         error == asio::error::address_family_not_supported;
      return std::unexpected(ListenFailure{
          fmt::format("{} port {}: {}", address, endpoint.port(), error.message()), lacks});
    }
    vipd::log::get("control")->info("http listening address={} port={}", address,
                                    acceptor->local_endpoint().port());
    acceptors_.push_back(std::move(acceptor));
    return {};
  }

  void doAccept(tcp::acceptor& acceptor) {
    acceptor.async_accept(
        [this, &acceptor, shared = shared_](beast::error_code error, tcp::socket socket) {
          if (error == asio::error::operation_aborted || !acceptor.is_open()) {
            return;
          }
          if (!error) {
            afterAccept(std::move(socket));
          }
          doAccept(acceptor);
        });
  }

  void afterAccept(tcp::socket socket) {
    if (shared_->active >= shared_->options.max_connections) {
      vipd::log::get("control")->warn(
          "http connection refused reason=too-many-connections "
          "limit={}",
          shared_->options.max_connections);
      std::make_shared<Session>(std::move(socket), shared_, false)->reject();
      return;
    }
    std::make_shared<Session>(std::move(socket), shared_, true)->start();
  }

  asio::io_context& io_;
  std::shared_ptr<Shared> shared_;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors_;
};

HttpServer::HttpServer(asio::io_context& io, const DaemonView& view, Options options)
    : impl_(std::make_shared<Impl>(io, view, std::move(options))) {}

HttpServer::~HttpServer() {
  impl_->stop();
}

std::expected<void, std::string> HttpServer::start() {
  return impl_->start();
}
void HttpServer::stop() {
  impl_->stop();
}
std::vector<std::uint16_t> HttpServer::ports() const {
  return impl_->ports();
}
std::size_t HttpServer::connections() const {
  return impl_->connections();
}

}  // namespace vipd::control
