#include "monitor/udp_probe.h"

#include <fmt/format.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <utility>

#include "monitor/net_util.h"

namespace vipd::monitor {

namespace asio = boost::asio;
using asio::ip::udp;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

}  // namespace

class UdpProbe::Check : public std::enable_shared_from_this<Check> {
 public:
  Check(asio::io_context& io, const config::UdpParams& params,
        std::optional<Clock::time_point>& last_error, Done done)
      : io_(io),
        socket_(io),
        timer_(io),
        params_(params),
        last_error_(last_error),
        done_(std::move(done)) {}

  void run(const udp::endpoint& endpoint, std::chrono::nanoseconds settle) {
    boost::system::error_code error;
    socket_.open(endpoint.protocol(), error);
    if (!error) {
      socket_.connect(endpoint, error);
    }
    if (error) {
      return failLater(failure("udp: socket", error));
    }

    socket_.async_send(asio::buffer(params_.payload),
                       [self = shared_from_this()](const auto& send_error, std::size_t) {
                         self->afterSend(send_error);
                       });
    socket_.async_receive(asio::buffer(reply_),
                          [self = shared_from_this()](const auto& receive_error, std::size_t) {
                            self->afterReceive(receive_error);
                          });
    if (!params_.expect_reply) {
      timer_.expires_after(settle);
      timer_.async_wait([self = shared_from_this()](const auto& wait_error) {
        if (!wait_error) {
          self->afterSettle();
        }
      });
    }
  }

  void abandon() {
    done_ = nullptr;
    boost::system::error_code ignored;
    socket_.close(ignored);
    timer_.cancel();
  }

 private:
  void afterSend(const boost::system::error_code& error) {
    if (done_ && error) {
      judgeError(error, "udp: send");
    }
  }

  void afterReceive(const boost::system::error_code& error) {
    if (!done_) {
      return;
    }
    if (error) {
      return judgeError(error, "udp: receive");
    }
    finish(true, "udp: reply received");
  }

  void judgeError(const boost::system::error_code& error, std::string_view what) {
    if (error == asio::error::connection_refused) {
      last_error_ = Clock::now();
      return finish(false, "udp: icmp port unreachable");
    }
    finish(false, failure(what, error));
  }

  // No ICMP error during this check: up, unless the last one is younger than icmp_timeout.
  void afterSettle() {
    if (!done_) {
      return;
    }
    const auto icmp_timeout = toNanoseconds(params_.icmp_timeout);
    if (last_error_ && Clock::now() - *last_error_ < icmp_timeout) {
      return finish(
          false, fmt::format("udp: icmp port unreachable {:.1f}s ago (icmp-timeout {}s)",
                             seconds(Clock::now() - *last_error_), params_.icmp_timeout.count()));
    }
    finish(true, "udp: no icmp error");
  }

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
    socket_.close(ignored);
    timer_.cancel();
    done(ProbeResult{up, std::move(message), {}});
  }

  asio::io_context& io_;
  udp::socket socket_;
  asio::steady_timer timer_;
  // The probe's: touched only while done_ is set, i.e. while the probe is alive.
  const config::UdpParams& params_;
  std::optional<Clock::time_point>& last_error_;
  // The reply's content does not matter; a longer datagram is cut, which is no error.
  std::array<char, 512> reply_{};
  Done done_;
};

UdpProbe::UdpProbe(asio::io_context& io, IpAddress address, std::uint16_t port,
                   const config::MonitorConfig& config)
    : io_(io),
      address_(address),
      port_(port),
      params_(std::get<config::UdpParams>(config.params)),
      settle_(toNanoseconds(config.timeout) / 2) {}

UdpProbe::~UdpProbe() {
  cancel();
}

void UdpProbe::start(Done done) {
  cancel();
  auto check = std::make_shared<Check>(io_, params_, last_error_, std::move(done));
  check->run(udp::endpoint(toAsio(address_), port_), settle_);
  check_ = check;
}

void UdpProbe::cancel() {
  if (const auto check = check_.lock()) {
    check->abandon();
  }
  check_.reset();
}

}  // namespace vipd::monitor
