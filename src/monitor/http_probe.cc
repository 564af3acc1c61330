#include "monitor/http_probe.h"

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <type_traits>
#include <utility>

#include "monitor/http_status_line.h"
#include "monitor/monitor_plan.h"
#include "monitor/net_util.h"
#include "monitor/random.h"

namespace vipd::monitor {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

namespace {

constexpr std::size_t kStatusLineLimit = 1024;
constexpr std::uint32_t kHeaderLimit = 16 * 1024;
constexpr std::uint64_t kBodyLimit = 1024 * 1024;

using Url = std::expected<PreparedUrl, std::string>;

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

const HttpSettings& settingsOf(const MonitorPlan& plan) {
  return *plan.http;
}

// With body_match, Beast's parser reads the whole response (header fields included).
struct BodyReader {
  BodyReader() {
    parser.header_limit(kHeaderLimit);
    parser.body_limit(kBodyLimit);
  }

  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
};

// One GET of one URL on its own connection; kTls picks the stream type. It holds the plan, so
// that the URL and its request outlive every operation in flight.
template <bool kTls>
class Fetch final : public HttpProbe::Running, public std::enable_shared_from_this<Fetch<kTls>> {
 public:
  using Stream = std::conditional_t<kTls, asio::ssl::stream<TcpSocket>, TcpSocket>;

  Fetch(asio::io_context& io, std::shared_ptr<const MonitorPlan> plan, const PreparedUrl& url,
        Probe::Done finish)
      : stream_(makeStream(io, settingsOf(*plan).tls_verify)),
        plan_(std::move(plan)),
        url_(url),
        finish_(std::move(finish)) {}

  void run(const tcp::endpoint& endpoint) {
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

  const HttpSettings& settings() const { return settingsOf(*plan_); }

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
    const std::string& host = url_.url.host;
    const bool literal = IpAddress::parse(host).has_value();
    if (!literal) {
      // SSL_set_tlsext_host_name, spelt out: the macro casts in the old style.
      SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(host.c_str()));
    }
    if (settings().tls_verify) {
      if (literal) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
      } else {
        SSL_set1_host(ssl, host.c_str());
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
    asio::async_write(stream_, asio::buffer(url_.request),
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
    if (settings().body_match) {
      return readHeader();
    }
    readStatusLine();
  }

  // --- without body_match: the status line alone -------------------------------------------

  void readStatusLine() {
    stream_.async_read_some(
        asio::buffer(head_.data() + received_, head_.size() - received_),
        [self = this->shared_from_this()](const auto& error, std::size_t bytes) {
          self->afterStatusBytes(error, bytes);
        });
  }

  void afterStatusBytes(const boost::system::error_code& error, std::size_t bytes) {
    if (!finish_) {
      return;
    }
    received_ += bytes;
    const auto line = parseStatusLine(std::string_view(head_.data(), received_));
    if (!line) {
      return done(false, fmt::format("{}: {}", scheme(), line.error()));
    }
    if (*line) {
      return judgeStatus(**line);
    }
    if (error) {
      return done(false, failure(fmt::format("{}: read status line", scheme()), error));
    }
    if (received_ == head_.size()) {
      return done(false,
                  fmt::format("{}: status line longer than {} bytes", scheme(), head_.size()));
    }
    readStatusLine();
  }

  void judgeStatus(unsigned status) {
    if (status != settings().http_status) {
      return done(false, fmt::format("{}: status {}, expected {}", scheme(), status,
                                     settings().http_status));
    }
    done(true, url_.up_message);
  }

  // --- with body_match: Beast's parser -----------------------------------------------------

  void readHeader() {
    body_ = std::make_unique<BodyReader>();
    http::async_read_header(stream_, body_->buffer, body_->parser,
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
    const unsigned status = body_->parser.get().result_int();
    if (status != settings().http_status) {
      return done(false, fmt::format("{}: status {}, expected {}", scheme(), status,
                                     settings().http_status));
    }
    http::async_read(stream_, body_->buffer, body_->parser,
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
    if (error == asio::ssl::error::stream_truncated && body_->parser.need_eof()) {
      error = {};
      body_->parser.put_eof(error);
    }
    if (error) {
      return done(false, failure(fmt::format("{}: read body", scheme()), error));
    }
    const std::string& match = *settings().body_match;
    if (body_->parser.get().body().find(match) == std::string::npos) {
      return done(false,
                  fmt::format("{}: body does not contain \"{}\"", scheme(), printable(match)));
    }
    done(true, url_.up_message + ", body matches");
  }

  // -------------------------------------------------------------------------------------------

  void close() {
    boost::system::error_code ignored;
    boost::beast::get_lowest_layer(stream_).close(ignored);
  }

  void done(bool up, std::string message) {
    auto finish = std::move(finish_);
    finish_ = nullptr;
    close();
    finish(ProbeResult{up, std::move(message), {}});
  }

  Stream stream_;
  std::shared_ptr<const MonitorPlan> plan_;
  const PreparedUrl& url_;  // in plan_
  Probe::Done finish_;
  std::size_t received_ = 0;
  std::array<char, kStatusLineLimit> head_;
  // Only with body_match: its parser is larger than the rest of the fetch.
  std::unique_ptr<BodyReader> body_;
};

// Starts one fetch of `url` and returns it, so that it can be abandoned.
std::shared_ptr<HttpProbe::Running> startFetch(asio::io_context& io,
                                               const std::shared_ptr<const MonitorPlan>& plan,
                                               const PreparedUrl& url,
                                               const tcp::endpoint& endpoint, Probe::Done finish) {
  if (url.url.tls) {
    auto fetch = std::make_shared<Fetch<true>>(io, plan, url, std::move(finish));
    fetch->run(endpoint);
    return fetch;
  }
  auto fetch = std::make_shared<Fetch<false>>(io, plan, url, std::move(finish));
  fetch->run(endpoint);
  return fetch;
}

}  // namespace

// A check of several URLs (check_all), or of a URL that cannot be tried: the fetches it
// started, and their tally. A check of one good URL is that URL's fetch alone.
class HttpProbe::Check : public Running, public std::enable_shared_from_this<Check> {
 public:
  Check(asio::io_context& io, std::shared_ptr<const MonitorPlan> plan, Done done)
      : io_(io), plan_(std::move(plan)), done_(std::move(done)) {}

  void run(const tcp::endpoint& endpoint) {
    const auto& urls = settings().urls;
    if (urls.empty()) {
      ++pending_;
      return failLater("http: no url configured");
    }
    if (!settings().check_all) {
      return fetch(urls[randomIndex(urls.size())], endpoint);
    }
    for (const auto& url : urls) {
      fetch(url, endpoint);
    }
  }

  void abandon() override {
    done_ = nullptr;
    for (const auto& weak : fetches_) {
      if (const auto fetch = weak.lock()) {
        fetch->abandon();
      }
    }
  }

 private:
  const HttpSettings& settings() const { return settingsOf(*plan_); }

  void fetch(const Url& url, const tcp::endpoint& endpoint) {
    ++pending_;
    if (!url) {
      return failLater(url.error());
    }
    auto finish = [self = shared_from_this(), multiple = settings().urls.size() > 1,
                   &url](ProbeResult result) {
      if (multiple) {
        result.message += fmt::format(" (url {}{})", url->url.host_field, url->url.target);
      }
      self->afterFetch(result.up, std::move(result.message));
    };
    fetches_.push_back(startFetch(io_, plan_, *url, endpoint, std::move(finish)));
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
    if (!settings().check_all || finished_ == 1) {
      return done(ProbeResult{failed_ == 0, failed_ == 0 ? last_success_ : first_failure_, {}});
    }
    const bool up = failed_ <= settings().max_failures;
    std::string message = failed_ == 0
                              ? fmt::format("http: all {} urls ok", finished_)
                              : fmt::format("http: {} of {} urls failed{}, first: {}", failed_,
                                            finished_, up ? " (tolerated)" : "", first_failure_);
    done(ProbeResult{up, std::move(message), {}});
  }

  asio::io_context& io_;
  std::shared_ptr<const MonitorPlan> plan_;
  std::vector<std::weak_ptr<Running>> fetches_;
  std::size_t pending_ = 0;
  std::size_t finished_ = 0;
  std::size_t failed_ = 0;
  std::string first_failure_;
  std::string last_success_;
  Done done_;
};

HttpProbe::HttpProbe(asio::io_context& io, IpAddress address, std::uint16_t port,
                     std::shared_ptr<const MonitorPlan> plan)
    : io_(io), address_(address), port_(port), plan_(std::move(plan)) {}

HttpProbe::~HttpProbe() {
  cancel();
}

void HttpProbe::start(Done done) {
  cancel();
  done_ = std::move(done);
  // Captures only `this`: small enough for std::function's inline storage.
  auto finish = [this](ProbeResult result) { afterCheck(std::move(result)); };
  const tcp::endpoint endpoint(toAsio(address_), port_);
  const auto& urls = settingsOf(*plan_).urls;
  if (urls.size() == 1 && urls.front()) {
    running_ = startFetch(io_, plan_, *urls.front(), endpoint, std::move(finish));
    return;
  }
  auto check = std::make_shared<Check>(io_, plan_, std::move(finish));
  check->run(endpoint);
  running_ = check;
}

void HttpProbe::afterCheck(ProbeResult result) {
  // A fetch and its control block are one allocation, which a weak reference keeps: dropped
  // now, the fetch's memory (its buffer, its socket's state) goes as soon as it returns,
  // rather than staying with every server until its next check.
  running_.reset();
  auto done = std::move(done_);
  done_ = nullptr;
  done(std::move(result));
}

void HttpProbe::cancel() {
  if (const auto running = running_.lock()) {
    running->abandon();
  }
  running_.reset();
  done_ = nullptr;
}

}  // namespace vipd::monitor
