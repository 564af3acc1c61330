#include "monitor/dns_probe.h"

#include <fmt/format.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <utility>

#include "monitor/dns_message.h"
#include "monitor/net_util.h"
#include "monitor/random.h"

namespace vipd::monitor {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;

namespace {

constexpr std::uint16_t kDnsPort = 53;
// Without EDNS a UDP reply holds at most 512 bytes; anything longer is read but not trusted
// to be whole.
constexpr std::size_t kUdpBuffer = 4096;

std::uint16_t pickType(config::DnsRecordType type) {
  switch (type) {
    case config::DnsRecordType::A:
      return kDnsTypeA;
    case config::DnsRecordType::Aaaa:
      return kDnsTypeAaaa;
    case config::DnsRecordType::Random:
      break;
  }
  return randomIndex(2) == 0 ? kDnsTypeA : kDnsTypeAaaa;
}

std::string lower(std::string text) {
  for (char& c : text) {
    c = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  if (text.ends_with('.')) {
    text.pop_back();
  }
  return text;
}

}  // namespace

class DnsProbe::Check : public std::enable_shared_from_this<Check> {
 public:
  Check(asio::io_context& io, const config::DnsParams& params, Done done)
      : io_(io), udp_(io), tcp_(io), params_(params), done_(std::move(done)) {}

  void run(const asio::ip::address& address) {
    const std::uint16_t port = params_.port.value_or(kDnsPort);
    const std::string& name = params_.hostnames.empty()
                                  ? empty_
                                  : params_.hostnames[randomIndex(params_.hostnames.size())];
    name_ = lower(name);
    type_ = pickType(params_.record_type);
    id_ = random16();
    auto query = encodeDnsQuery(id_, name_, type_);
    if (!query) {
      return failLater(
          fmt::format("dns: cannot ask for \"{}\": {}", printable(name), query.error()));
    }
    query_ = std::move(*query);

    udp::endpoint endpoint(address, port);
    tcp_endpoint_ = tcp::endpoint(address, port);
    boost::system::error_code error;
    udp_.open(endpoint.protocol(), error);
    if (!error) {
      udp_.connect(endpoint, error);
    }
    if (error) {
      return failLater(failure("dns: udp socket", error));
    }
    udp_.async_send(asio::buffer(query_),
                    [self = shared_from_this()](const auto& send_error, std::size_t) {
                      self->afterUdpSend(send_error);
                    });
  }

  void abandon() {
    done_ = nullptr;
    boost::system::error_code ignored;
    udp_.close(ignored);
    tcp_.close(ignored);
  }

 private:
  void afterUdpSend(const boost::system::error_code& error) {
    if (!done_) {
      return;
    }
    if (error) {
      return finish(false, failure("dns: udp send", error));
    }
    reply_.resize(kUdpBuffer);
    receiveUdp();
  }

  void receiveUdp() {
    udp_.async_receive(asio::buffer(reply_),
                       [self = shared_from_this()](const auto& error, std::size_t size) {
                         self->afterUdpReceive(error, size);
                       });
  }

  void afterUdpReceive(const boost::system::error_code& error, std::size_t size) {
    if (!done_) {
      return;
    }
    if (error) {
      return finish(false, failure("dns: udp receive", error));
    }
    auto response = decodeDnsResponse(std::span(reply_.data(), size));
    if (response && !isOurs(*response)) {
      return receiveUdp();
    }
    if (!response) {
      return finish(false, fmt::format("dns: bad reply: {}", response.error()));
    }
    if (response->truncated) {
      return askOverTcp();
    }
    judge(*response);
  }

  bool isOurs(const DnsResponse& response) const {
    return response.id == id_ && response.question_name == name_ && response.question_type == type_;
  }

  void askOverTcp() {
    boost::system::error_code ignored;
    udp_.close(ignored);
    tcp_.async_connect(tcp_endpoint_, [self = shared_from_this()](const auto& error) {
      self->afterTcpConnect(error);
    });
  }

  void afterTcpConnect(const boost::system::error_code& error) {
    if (!done_) {
      return;
    }
    if (error) {
      return finish(false, failure("dns: truncated, tcp connect", error));
    }
    // RFC 1035 4.2.2: over TCP each message is preceded by its length.
    length_ = {static_cast<std::uint8_t>(query_.size() >> 8),
               static_cast<std::uint8_t>(query_.size() & 0xff)};
    const std::array<asio::const_buffer, 2> buffers = {asio::buffer(length_), asio::buffer(query_)};
    asio::async_write(tcp_, buffers, [self = shared_from_this()](const auto& write_error, auto) {
      self->afterTcpSend(write_error);
    });
  }

  void afterTcpSend(const boost::system::error_code& error) {
    if (!done_) {
      return;
    }
    if (error) {
      return finish(false, failure("dns: tcp send", error));
    }
    asio::async_read(tcp_, asio::buffer(length_),
                     [self = shared_from_this()](const auto& read_error, auto) {
                       self->afterTcpLength(read_error);
                     });
  }

  void afterTcpLength(const boost::system::error_code& error) {
    if (!done_) {
      return;
    }
    if (error) {
      return finish(false, failure("dns: tcp receive", error));
    }
    reply_.resize(static_cast<std::size_t>((length_[0] << 8) | length_[1]));
    asio::async_read(tcp_, asio::buffer(reply_),
                     [self = shared_from_this()](const auto& read_error, auto) {
                       self->afterTcpReply(read_error);
                     });
  }

  void afterTcpReply(const boost::system::error_code& error) {
    if (!done_) {
      return;
    }
    if (error) {
      return finish(false, failure("dns: tcp receive", error));
    }
    const auto response = decodeDnsResponse(reply_);
    if (!response) {
      return finish(false, fmt::format("dns: bad reply over tcp: {}", response.error()));
    }
    if (!isOurs(*response)) {
      return finish(false, "dns: reply over tcp is for another query");
    }
    judge(*response);
  }

  void judge(const DnsResponse& response) {
    const std::string asked = fmt::format("{} {}", name_, dnsTypeName(type_));
    const std::string rcode = dnsRcodeName(response.rcode);
    if (response.rcode == kDnsNoError) {
      if (params_.expect_answer && response.matching_answers == 0) {
        return finish(false, fmt::format("dns: NOERROR but no answer for {}", asked));
      }
      return finish(
          true, fmt::format("dns: NOERROR, {} answers for {}", response.matching_answers, asked));
    }
    if (response.rcode == kDnsNxDomain && !params_.fail_on_nxdomain) {
      return finish(true, fmt::format("dns: NXDOMAIN for {}", asked));
    }
    finish(false, fmt::format("dns: {} for {}", rcode, asked));
  }

  // A query that cannot even be sent still answers through the loop, never from start().
  void failLater(std::string message) {
    asio::post(io_, [self = shared_from_this(), message = std::move(message)]() mutable {
      if (self->done_) {
        self->finish(false, std::move(message));
      }
    });
  }

  void finish(bool up, std::string message) {
    auto done = std::move(done_);
    done_ = nullptr;
    boost::system::error_code ignored;
    udp_.close(ignored);
    tcp_.close(ignored);
    done(ProbeResult{up, std::move(message), {}});
  }

  asio::io_context& io_;
  udp::socket udp_;
  tcp::socket tcp_;
  tcp::endpoint tcp_endpoint_;
  // The probe's: read only while done_ is set, i.e. while the probe is alive.
  const config::DnsParams& params_;
  const std::string empty_;
  std::string name_;
  std::uint16_t type_ = kDnsTypeA;
  std::uint16_t id_ = 0;
  std::vector<std::uint8_t> query_;
  std::vector<std::uint8_t> reply_;
  std::array<std::uint8_t, 2> length_{};
  Done done_;
};

DnsProbe::DnsProbe(asio::io_context& io, IpAddress address, config::DnsParams params)
    : io_(io), address_(address), params_(std::move(params)) {}

DnsProbe::~DnsProbe() {
  cancel();
}

void DnsProbe::start(Done done) {
  cancel();
  auto check = std::make_shared<Check>(io_, params_, std::move(done));
  check->run(toAsio(address_));
  check_ = check;
}

void DnsProbe::cancel() {
  if (const auto check = check_.lock()) {
    check->abandon();
  }
  check_.reset();
}

}  // namespace vipd::monitor
