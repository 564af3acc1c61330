#include "monitor/http_probe.h"

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <type_traits>
#include <utility>

#include "monitor/net_util.h"
#include "monitor/random.h"

namespace vipd::monitor {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

namespace {

constexpr std::uint32_t kHeaderLimit = 16 * 1024;
constexpr std::uint64_t kBodyLimit = 1024 * 1024;
constexpr std::string_view kUserAgent = "vipd (health check)";

using Finish = std::function<void(bool up, std::string message)>;

std::unique_ptr<asio::ssl::context> makeTlsContext(bool verify) {
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  if (verify) {
    boost::system::error_code ignored;
    context->set_default_verify_paths(ignored);
    context->set_verify_mode(asio::ssl::verify_peer);
  } else {
    context->set_verify_mode(asio::ssl::verify_none);
  }
  return context;
}

// One context per verify setting for the whole process: loading the CA store for each check
// would cost far more than the check itself.
asio::ssl::context& tlsContext(bool verify) {
  static const auto verifying = makeTlsContext(true);
  static const auto trusting = makeTlsContext(false);
  return verify ? *verifying : *trusting;
}

class FetchBase {
 public:
  virtual ~FetchBase() = default;
  virtual void abandon() = 0;
};

// One GET of one URL on its own connection; kTls picks the stream type.
template <bool kTls>
class Fetch final : public FetchBase, public std::enable_shared_from_this<Fetch<kTls>> {
 public:
  using Stream = std::conditional_t<kTls, asio::ssl::stream<tcp::socket>, tcp::socket>;

  Fetch(asio::io_context& io, const HttpProbe::Settings& settings, const HttpUrl& url,
        Finish finish)
      : stream_(makeStream(io, settings.tls_verify)),
        settings_(settings),
        url_(url),
        finish_(std::move(finish)) {
    parser_.header_limit(kHeaderLimit);
    // Without body_match the body is never read, so its size does not matter.
    if (settings.body_match) {
      parser_.body_limit(kBodyLimit);
    } else {
      parser_.body_limit(boost::none);
    }
  }

  void run(const tcp::endpoint& endpoint) {
    request_ = fmt::format(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: {}\r\nAccept: */*\r\nConnection: "
        "close\r\n\r\n",
        url_.target, url_.host_field, kUserAgent);
    boost::beast::get_lowest_layer(stream_).async_connect(
        endpoint,
        [self = this->shared_from_this()](const auto& error) { self->afterConnect(error); });
  }

  void abandon() override {
    finish_ = nullptr;
    close();
  }

 private:
  static Stream makeStream(asio::io_context& io, bool verify) {
    if constexpr (kTls) {
      return Stream(io, tlsContext(verify));
    } else {
      return Stream(io);
    }
  }

  static constexpr std::string_view scheme() { return kTls ? "https" : "http"; }

  void afterConnect(const boost::system::error_code& error) {
    if (!finish_) {
      return;
    }
    if (error) {
      return done(false, failure(fmt::format("{}: connect", scheme()), error));
    }
    if constexpr (kTls) {
      handshake();
    } else {
      write();
    }
  }

  void handshake() {
    SSL* ssl = stream_.native_handle();
    const bool literal = IpAddress::parse(url_.host).has_value();
    if (!literal) {
      // SSL_set_tlsext_host_name, spelt out: the macro casts in the old style.
      SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(url_.host.c_str()));
    }
    if (settings_.tls_verify) {
      if (literal) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), url_.host.c_str());
      } else {
        SSL_set1_host(ssl, url_.host.c_str());
      }
    }
    stream_.async_handshake(
        asio::ssl::stream_base::client,
        [self = this->shared_from_this()](const auto& error) { self->afterHandshake(error); });
  }

  void afterHandshake(const boost::system::error_code& error) {
    if (!finish_) {
      return;
    }
    if (error) {
      std::string message = failure("https: handshake", error);
      if constexpr (kTls) {
        const long verdict = SSL_get_verify_result(stream_.native_handle());
        if (verdict != X509_V_OK) {
          message += fmt::format(": {}", X509_verify_cert_error_string(verdict));
        }
      }
      return done(false, std::move(message));
    }
    write();
  }

  void write() {
    asio::async_write(stream_, asio::buffer(request_),
                      [self = this->shared_from_this()](const auto& error, std::size_t) {
                        self->afterWrite(error);
                      });
  }

  void afterWrite(const boost::system::error_code& error) {
    if (!finish_) {
      return;
    }
    if (error) {
      return done(false, failure(fmt::format("{}: send", scheme()), error));
    }
    http::async_read_header(stream_, buffer_, parser_,
                            [self = this->shared_from_this()](const auto& read_error, auto) {
                              self->afterHeader(read_error);
                            });
  }

  void afterHeader(const boost::system::error_code& error) {
    if (!finish_) {
      return;
    }
    if (error) {
      return done(false, failure(fmt::format("{}: read header", scheme()), error));
    }
    const unsigned status = parser_.get().result_int();
    if (status != settings_.http_status) {
      return done(false, fmt::format("{}: status {}, expected {}", scheme(), status,
                                     settings_.http_status));
    }
    if (!settings_.body_match) {
      return done(true, fmt::format("{}: status {}", scheme(), status));
    }
    http::async_read(stream_, buffer_, parser_,
                     [self = this->shared_from_this()](const auto& read_error, auto) {
                       self->afterBody(read_error);
                     });
  }

  void afterBody(boost::system::error_code error) {
    if (!finish_) {
      return;
    }
    // A TLS server that closes without close_notify ends a body that runs to the end of the
    // stream just as well.
    if (error == asio::ssl::error::stream_truncated && parser_.need_eof()) {
      error = {};
      parser_.put_eof(error);
    }
    if (error) {
      return done(false, failure(fmt::format("{}: read body", scheme()), error));
    }
    if (parser_.get().body().find(*settings_.body_match) == std::string::npos) {
      return done(false, fmt::format("{}: body does not contain \"{}\"", scheme(),
                                     printable(*settings_.body_match)));
    }
    done(true, fmt::format("{}: status {}, body matches", scheme(), parser_.get().result_int()));
  }

  void close() {
    boost::system::error_code ignored;
    boost::beast::get_lowest_layer(stream_).close(ignored);
  }

  void done(bool up, std::string message) {
    auto finish = std::move(finish_);
    finish_ = nullptr;
    close();
    finish(up, std::move(message));
  }

  Stream stream_;
  // The probe's: read only while finish_ is set, i.e. while the probe is alive.
  const HttpProbe::Settings& settings_;
  const HttpUrl& url_;
  std::string request_;
  boost::beast::flat_buffer buffer_;
  http::response_parser<http::string_body> parser_;
  Finish finish_;
};

HttpProbe::Settings makeSettings(const config::HttpParams& params) {
  HttpProbe::Settings settings;
  for (const std::string& text : params.urls) {
    auto url = parseHttpUrl(text);
    if (!url) {
      settings.urls.emplace_back(
          std::unexpected(fmt::format("http: bad url \"{}\": {}", printable(text), url.error())));
    } else {
      settings.urls.emplace_back(std::move(*url));
    }
  }
  settings.http_status = params.http_status;
  settings.check_all = params.check_all;
  settings.max_failures = params.max_failures;
  settings.body_match = params.body_match;
  settings.tls_verify = params.tls_verify;
  return settings;
}

}  // namespace

// One check: the fetches it started, and their tally.
class HttpProbe::Check : public std::enable_shared_from_this<Check> {
 public:
  Check(asio::io_context& io, const Settings& settings, Done done)
      : io_(io), settings_(settings), done_(std::move(done)) {}

  void run(const tcp::endpoint& endpoint) {
    if (settings_.urls.empty()) {
      ++pending_;
      return failLater("http: no url configured");
    }
    if (!settings_.check_all) {
      return fetch(settings_.urls[randomIndex(settings_.urls.size())], endpoint);
    }
    for (const auto& url : settings_.urls) {
      fetch(url, endpoint);
    }
  }

  void abandon() {
    done_ = nullptr;
    for (const auto& weak : fetches_) {
      if (const auto fetch = weak.lock()) {
        fetch->abandon();
      }
    }
  }

 private:
  void fetch(const std::expected<HttpUrl, std::string>& url, const tcp::endpoint& endpoint) {
    ++pending_;
    if (!url) {
      return failLater(url.error());
    }
    auto finish = [self = shared_from_this(), multiple = settings_.urls.size() > 1, &url](
                      bool up, std::string message) {
      if (multiple) {
        message += fmt::format(" (url {}{})", url->host_field, url->target);
      }
      self->afterFetch(up, std::move(message));
    };
    if (url->tls) {
      start(std::make_shared<Fetch<true>>(io_, settings_, *url, std::move(finish)), endpoint);
    } else {
      start(std::make_shared<Fetch<false>>(io_, settings_, *url, std::move(finish)), endpoint);
    }
  }

  template <typename FetchType>
  void start(const std::shared_ptr<FetchType>& fetch, const tcp::endpoint& endpoint) {
    fetch->run(endpoint);
    fetches_.push_back(fetch);
  }

  // A URL that cannot even be tried still answers through the loop, never from start().
  void failLater(std::string message) {
    asio::post(io_, [self = shared_from_this(), message = std::move(message)]() mutable {
      self->afterFetch(false, std::move(message));
    });
  }

  void afterFetch(bool up, std::string message) {
    if (!done_) {
      return;
    }
    --pending_;
    ++finished_;
    if (!up && failed_++ == 0) {
      first_failure_ = message;
    }
    if (up && last_success_.empty()) {
      last_success_ = message;
    }
    if (pending_ == 0) {
      conclude();
    }
  }

  void conclude() {
    auto done = std::move(done_);
    done_ = nullptr;
    if (!settings_.check_all || finished_ == 1) {
      return done(ProbeResult{failed_ == 0, failed_ == 0 ? last_success_ : first_failure_, {}});
    }
    const bool up = failed_ <= settings_.max_failures;
    std::string message = failed_ == 0
                              ? fmt::format("http: all {} urls ok", finished_)
                              : fmt::format("http: {} of {} urls failed{}, first: {}", failed_,
                                            finished_, up ? " (tolerated)" : "", first_failure_);
    done(ProbeResult{up, std::move(message), {}});
  }

  asio::io_context& io_;
  const Settings& settings_;
  std::vector<std::weak_ptr<FetchBase>> fetches_;
  std::size_t pending_ = 0;
  std::size_t finished_ = 0;
  std::size_t failed_ = 0;
  std::string first_failure_;
  std::string last_success_;
  Done done_;
};

HttpProbe::HttpProbe(asio::io_context& io, IpAddress address, std::uint16_t port,
                     const config::HttpParams& params)
    : io_(io), address_(address), port_(port), settings_(makeSettings(params)) {}

HttpProbe::~HttpProbe() {
  cancel();
}

void HttpProbe::start(Done done) {
  cancel();
  auto check = std::make_shared<Check>(io_, settings_, std::move(done));
  check->run(tcp::endpoint(toAsio(address_), port_));
  check_ = check;
}

void HttpProbe::cancel() {
  if (const auto check = check_.lock()) {
    check->abandon();
  }
  check_.reset();
}

}  // namespace vipd::monitor
