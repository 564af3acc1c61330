#include "test_servers.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
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
  config.timeout = std::chrono::seconds(5);
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

// --- DnsServer -----------------------------------------------------------------------------

namespace {

using asio::ip::udp;
using Bytes = std::vector<std::uint8_t>;

// Where the question of a well-formed query ends (after QTYPE and QCLASS); 0 if it does not.
std::size_t questionEnd(const Bytes& query) {
  std::size_t at = 12;
  while (at < query.size() && query[at] != 0) {
    at += 1U + query[at];
  }
  return at + 5 <= query.size() ? at + 5 : 0;
}

Bytes dnsReply(const Bytes& query, DnsServer::Mode mode, bool over_tcp) {
  using Mode = DnsServer::Mode;
  const std::size_t end = questionEnd(query);
  if (end == 0) {
    return {};
  }
  Bytes reply(query.begin(), query.begin() + static_cast<std::ptrdiff_t>(end));
  const std::uint16_t type = static_cast<std::uint16_t>((query[end - 4] << 8) | query[end - 3]);
  const bool truncate = mode == Mode::Truncated && !over_tcp;
  const bool answer =
      (mode == Mode::Answer || mode == Mode::WrongFirst || (mode == Mode::Truncated && over_tcp)) &&
      (type == 1 || type == 28);
  std::uint8_t rcode = 0;
  if (mode == Mode::NxDomain) {
    rcode = 3;
  } else if (mode == Mode::ServFail) {
    rcode = 2;
  } else if (mode == Mode::Refused) {
    rcode = 5;
  }

  reply[2] = static_cast<std::uint8_t>(0x84 | (truncate ? 0x02 : 0) | (query[2] & 0x01));
  reply[3] = static_cast<std::uint8_t>(0x80 | rcode);
  reply[6] = 0;
  reply[7] = answer ? 1 : 0;
  if (answer) {
    const Bytes v4 = {127, 0, 0, 1};
    Bytes v6(16, 0);
    v6[15] = 1;
    const Bytes& data = type == 1 ? v4 : v6;
    const Bytes record = {0xc0,
                          0x0c,
                          static_cast<std::uint8_t>(type >> 8),
                          static_cast<std::uint8_t>(type & 0xff),
                          0,
                          1,
                          0,
                          0,
                          0,
                          60,
                          0,
                          static_cast<std::uint8_t>(data.size())};
    reply.insert(reply.end(), record.begin(), record.end());
    reply.insert(reply.end(), data.begin(), data.end());
  }
  if (mode == Mode::Garbage && !over_tcp) {
    reply[7] = 1;
    reply.push_back(40);  // a label of 40 bytes, of which none follow
  }
  return reply;
}

}  // namespace

struct DnsServer::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io_in, Mode mode_in)
      : io(io_in), socket(io_in), acceptor(io_in), mode(mode_in) {
    // UDP picks the port; TCP may find that number taken, so a few picks are tried.
    for (int attempt = 0; attempt < 20 && !acceptor.is_open(); ++attempt) {
      boost::system::error_code ignored;
      socket.close(ignored);
      socket.open(udp::v4());
      socket.bind(udp::endpoint(asio::ip::address_v4::loopback(), 0));
      tryListen(socket.local_endpoint().port());
    }
    if (!acceptor.is_open()) {
      throw std::runtime_error("dns test server: no port free for both UDP and TCP");
    }
  }

  void tryListen(std::uint16_t port) {
    boost::system::error_code error;
    acceptor.open(tcp::v4(), error);
    acceptor.set_option(tcp::acceptor::reuse_address(true), error);
    acceptor.bind(tcp::endpoint(asio::ip::address_v4::loopback(), port), error);
    if (!error) {
      acceptor.listen(asio::socket_base::max_listen_connections, error);
    }
    if (error) {
      boost::system::error_code ignored;
      acceptor.close(ignored);
    }
  }

  void receive() {
    buffer.resize(4096);
    socket.async_receive_from(asio::buffer(buffer), peer,
                              [self = shared_from_this()](const auto& error, std::size_t size) {
                                if (error) {
                                  return;
                                }
                                self->buffer.resize(size);
                                self->answerUdp();
                                self->receive();
                              });
  }

  void answerUdp() {
    ++udp_queries;
    noteType(buffer);
    if (mode == Mode::WrongFirst) {
      Bytes wrong = dnsReply(buffer, mode, false);
      wrong[1] = static_cast<std::uint8_t>(wrong[1] + 1);
      socket.send_to(asio::buffer(wrong), peer);
    }
    const Bytes reply = dnsReply(buffer, mode, false);
    socket.send_to(asio::buffer(reply), peer);
  }

  void noteType(const Bytes& query) {
    const std::size_t end = questionEnd(query);
    if (end != 0) {
      types.push_back(static_cast<std::uint16_t>((query[end - 4] << 8) | query[end - 3]));
    }
  }

  struct TcpConnection {
    explicit TcpConnection(tcp::socket s) : socket(std::move(s)) {}
    tcp::socket socket;
    std::array<std::uint8_t, 2> length{};
    Bytes message;
    Bytes reply;
  };

  void accept() {
    acceptor.async_accept([self = shared_from_this()](const auto& error, tcp::socket s) {
      if (error) {
        return;
      }
      auto connection = std::make_shared<TcpConnection>(std::move(s));
      asio::async_read(connection->socket, asio::buffer(connection->length),
                       [self, connection](const auto& read_error, auto) {
                         if (!read_error) {
                           self->readTcpQuery(connection);
                         }
                       });
      self->accept();
    });
  }

  void readTcpQuery(const std::shared_ptr<TcpConnection>& connection) {
    connection->message.resize(
        static_cast<std::size_t>((connection->length[0] << 8) | connection->length[1]));
    asio::async_read(connection->socket, asio::buffer(connection->message),
                     [self = shared_from_this(), connection](const auto& error, auto) {
                       if (error) {
                         return;
                       }
                       ++self->tcp_queries;
                       self->noteType(connection->message);
                       const Bytes reply = dnsReply(connection->message, self->mode, true);
                       connection->reply = {static_cast<std::uint8_t>(reply.size() >> 8),
                                            static_cast<std::uint8_t>(reply.size() & 0xff)};
                       connection->reply.insert(connection->reply.end(), reply.begin(),
                                                reply.end());
                       asio::async_write(connection->socket, asio::buffer(connection->reply),
                                         [connection](const auto&, auto) {});
                     });
  }

  asio::io_context& io;
  udp::socket socket;
  tcp::acceptor acceptor;
  Mode mode;
  udp::endpoint peer;
  Bytes buffer;
  std::size_t udp_queries = 0;
  std::size_t tcp_queries = 0;
  std::vector<std::uint16_t> types;
};

DnsServer::DnsServer(asio::io_context& io, Mode mode) : impl_(std::make_shared<Impl>(io, mode)) {
  impl_->receive();
  impl_->accept();
}

DnsServer::~DnsServer() {
  boost::system::error_code ignored;
  impl_->socket.close(ignored);
  impl_->acceptor.close(ignored);
}

std::uint16_t DnsServer::port() const {
  return impl_->socket.local_endpoint().port();
}
std::size_t DnsServer::udpQueries() const {
  return impl_->udp_queries;
}
std::size_t DnsServer::tcpQueries() const {
  return impl_->tcp_queries;
}
const std::vector<std::uint16_t>& DnsServer::types() const {
  return impl_->types;
}

// --- UdpServer -----------------------------------------------------------------------------

struct UdpServer::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, bool echo_in, std::uint16_t port)
      : socket(io, udp::endpoint(asio::ip::address_v4::loopback(), port)), echo(echo_in) {}

  void receive() {
    buffer.resize(2048);
    socket.async_receive_from(
        asio::buffer(buffer), peer,
        [self = shared_from_this()](const auto& error, std::size_t size) {
          if (error) {
            return;
          }
          ++self->datagrams;
          self->last.assign(self->buffer.begin(),
                            self->buffer.begin() + static_cast<std::ptrdiff_t>(size));
          if (self->echo) {
            boost::system::error_code ignored;
            self->socket.send_to(asio::buffer(self->last), self->peer, 0, ignored);
          }
          self->receive();
        });
  }

  udp::socket socket;
  bool echo;
  udp::endpoint peer;
  std::vector<char> buffer;
  std::string last;
  std::size_t datagrams = 0;
};

UdpServer::UdpServer(asio::io_context& io, bool echo, std::uint16_t port)
    : impl_(std::make_shared<Impl>(io, echo, port)) {
  impl_->receive();
}

UdpServer::~UdpServer() {
  boost::system::error_code ignored;
  impl_->socket.close(ignored);
}

std::uint16_t UdpServer::port() const {
  return impl_->socket.local_endpoint().port();
}
std::size_t UdpServer::datagrams() const {
  return impl_->datagrams;
}
const std::string& UdpServer::lastPayload() const {
  return impl_->last;
}

std::uint16_t unusedUdpPort() {
  asio::io_context io;
  udp::socket socket(io, udp::endpoint(asio::ip::address_v4::loopback(), 0));
  return socket.local_endpoint().port();
}

}  // namespace vipd::monitor::testing
