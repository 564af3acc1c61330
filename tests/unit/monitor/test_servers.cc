#include "test_servers.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <list>
#include <stdexcept>

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

// --- HttpServer ----------------------------------------------------------------------------

namespace {

// A self-signed certificate for "localhost" on a P-256 key, installed into `context`.
void installSelfSignedCertificate(asio::ssl::context& context) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", const_cast<char*>("P-256"));
  X509* certificate = X509_new();
  if (key == nullptr || certificate == nullptr) {
    throw std::runtime_error("openssl: cannot make a key or a certificate");
  }
  X509_set_version(certificate, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate), 1);
  X509_gmtime_adj(X509_getm_notBefore(certificate), -3600);
  X509_gmtime_adj(X509_getm_notAfter(certificate), 86400);
  X509_set_pubkey(certificate, key);
  X509_NAME* name = X509_get_subject_name(certificate);
  const std::string common_name = "localhost";
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(certificate, name);
  X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name,
                                            const_cast<char*>("DNS:localhost"));
  X509_add_ext(certificate, san, -1);
  X509_EXTENSION_free(san);
  X509_sign(certificate, key, EVP_sha256());

  SSL_CTX_use_certificate(context.native_handle(), certificate);
  SSL_CTX_use_PrivateKey(context.native_handle(), key);
  X509_free(certificate);
  EVP_PKEY_free(key);
}

std::string requestTarget(const std::string& head) {
  const auto first = head.find(' ');
  const auto second = head.find(' ', first + 1);
  if (first == std::string::npos || second == std::string::npos) {
    return {};
  }
  return head.substr(first + 1, second - first - 1);
}

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io_in, std::map<std::string, HttpResponse> routes_in, bool tls_in)
      : io(io_in),
        acceptor(io_in, tcp::endpoint(asio::ip::address_v4::loopback(), 0)),
        tls_context(asio::ssl::context::tls_server),
        routes(std::move(routes_in)),
        tls(tls_in) {
    if (tls) {
      installSelfSignedCertificate(tls_context);
    }
  }

  template <typename Stream>
  struct Connection {
    Stream stream;
    std::string head;
    std::string response;
  };

  void accept() {
    acceptor.async_accept([self = shared_from_this()](const auto& error, tcp::socket socket) {
      if (error) {
        return;
      }
      if (self->tls) {
        using Tls = asio::ssl::stream<tcp::socket>;
        auto connection = std::make_shared<Connection<Tls>>(
            Connection<Tls>{Tls(std::move(socket), self->tls_context), {}, {}});
        connection->stream.async_handshake(
            asio::ssl::stream_base::server, [self, connection](const auto& handshake_error) {
              if (!handshake_error) {
                const char* name = SSL_get_servername(connection->stream.native_handle(),
                                                      TLSEXT_NAMETYPE_host_name);
                self->server_names.emplace_back(name == nullptr ? "" : name);
                self->readRequest(connection);
              }
            });
      } else {
        self->readRequest(std::make_shared<Connection<tcp::socket>>(
            Connection<tcp::socket>{std::move(socket), {}, {}}));
      }
      self->accept();
    });
  }

  template <typename Stream>
  void readRequest(const std::shared_ptr<Connection<Stream>>& connection) {
    asio::async_read_until(connection->stream, asio::dynamic_buffer(connection->head), "\r\n\r\n",
                           [self = shared_from_this(), connection](const auto& error, auto) {
                             if (!error) {
                               self->respond(connection);
                             }
                           });
  }

  template <typename Stream>
  void respond(const std::shared_ptr<Connection<Stream>>& connection) {
    requests.push_back(connection->head);
    const std::string target = requestTarget(connection->head);
    auto found = routes.find(target);
    if (found == routes.end()) {
      found = routes.find(target.substr(0, target.find('?')));
    }
    const HttpResponse response =
        found == routes.end() ? HttpResponse{404, "no such page", ""} : found->second;
    connection->response =
        fmt::format("HTTP/1.1 {} Test\r\nContent-Length: {}\r\n{}Connection: close\r\n\r\n{}",
                    response.status, response.body.size(), response.headers, response.body);
    asio::async_write(
        connection->stream, asio::buffer(connection->response), [connection](const auto&, auto) {
          // FIN after the response; the socket closes with the connection.
          boost::system::error_code ignored;
          connection->stream.lowest_layer().shutdown(tcp::socket::shutdown_send, ignored);
        });
  }

  asio::io_context& io;
  tcp::acceptor acceptor;
  asio::ssl::context tls_context;
  std::map<std::string, HttpResponse> routes;
  bool tls;
  std::vector<std::string> requests;
  std::vector<std::string> server_names;
};

HttpServer::HttpServer(asio::io_context& io, std::map<std::string, HttpResponse> routes, bool tls)
    : impl_(std::make_shared<Impl>(io, std::move(routes), tls)) {
  impl_->accept();
}

HttpServer::~HttpServer() {
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
}

std::uint16_t HttpServer::port() const {
  return impl_->acceptor.local_endpoint().port();
}
const std::vector<std::string>& HttpServer::requests() const {
  return impl_->requests;
}
const std::vector<std::string>& HttpServer::serverNames() const {
  return impl_->server_names;
}

}  // namespace vipd::monitor::testing
