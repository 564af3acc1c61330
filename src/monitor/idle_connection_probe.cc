#include "monitor/idle_connection_probe.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <utility>

#include "monitor/backoff.h"
#include "monitor/monitor_plan.h"
#include "monitor/net_util.h"
#include "monitor/random.h"

namespace vipd::monitor {

namespace asio = boost::asio;
using asio::ip::tcp;
using std::chrono::nanoseconds;

namespace {

constexpr nanoseconds kMaxFirstDelay = std::chrono::seconds(1);

int keepaliveSeconds(config::Seconds seconds) {
  return static_cast<int>(std::clamp(seconds.count(), 1.0, 32767.0));
}

double milliseconds(nanoseconds duration) {
  return std::chrono::duration<double, std::milli>(duration).count();
}

}  // namespace

class IdleConnectionProbe::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(asio::io_context& io, IpAddress address, std::uint16_t port,
          std::shared_ptr<const MonitorPlan> plan)
      : socket_(io),
        timer_(io),
        plan_(std::move(plan)),
        backoff_(std::min(toNanoseconds(plan_->config.interval), kMaxFirstDelay),
                 toNanoseconds(params().max_delay)),
        address_(address),
        port_(port) {}

  void start(Report report) {
    report_ = std::move(report);
    connect(false);
  }

  void stop() {
    report_ = nullptr;
    ++attempt_;
    boost::system::error_code ignored;
    socket_.close(ignored);
    timer_.cancel();
  }

 private:
  // One connect attempt, raced against its deadline; attempt_ tells which of the two won.
  void connect(bool quick) {
    quick_ = quick;
    const std::uint32_t attempt = ++attempt_;
    boost::system::error_code ignored;
    socket_.close(ignored);
    socket_ = TcpSocket(socket_.get_executor());

    const tcp::endpoint endpoint(toAsio(address_), port_);
    socket_.async_connect(endpoint, [self = shared_from_this(), attempt](const auto& error) {
      self->afterConnect(attempt, error);
    });
    const nanoseconds deadline =
        toNanoseconds(quick ? params().timeout_clean_reconnect : plan_->config.timeout);
    timer_.expires_after(deadline);
    timer_.async_wait([self = shared_from_this(), attempt, deadline](const auto& error) {
      if (!error) {
        self->afterConnectTimeout(attempt, deadline);
      }
    });
  }

  void afterConnect(std::uint32_t attempt, const boost::system::error_code& error) {
    if (!report_ || attempt != attempt_) {
      return;
    }
    ++attempt_;
    timer_.cancel();
    if (error) {
      return fail(failure(quick_ ? "closed cleanly, reconnect" : "connect", error), false);
    }
    connected();
  }

  void afterConnectTimeout(std::uint32_t attempt, nanoseconds deadline) {
    if (!report_ || attempt != attempt_) {
      return;
    }
    ++attempt_;
    boost::system::error_code ignored;
    socket_.close(ignored);
    fail(fmt::format("{}: timeout after {}ms", quick_ ? "closed cleanly, reconnect" : "connect",
                     milliseconds(deadline)),
         true);
  }

  void connected() {
    setKeepalive();
    backoff_.reset();
    boost::system::error_code ignored;
    socket_.non_blocking(true, ignored);
    watch();
    emit(true, quick_ ? "reconnected after a clean close" : "connected", false);
  }

  const config::IdleConnectionParams& params() const {
    return std::get<config::IdleConnectionParams>(plan_->config.params);
  }

  void setKeepalive() {
    const config::IdleConnectionParams& params = this->params();
    const int fd = socket_.native_handle();
    const int on = params.keepalive ? 1 : 0;
    ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
    if (!params.keepalive) {
      return;
    }
    const int idle = keepaliveSeconds(params.keepalive_idle);
    const int interval = keepaliveSeconds(params.keepalive_interval);
    const int count = static_cast<int>(std::clamp(params.keepalive_retries, 1U, 127U));
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
  }

  // Waits for the socket to become readable, holding no buffer while idle.
  void watch() {
    const std::uint32_t attempt = attempt_;
    socket_.async_wait(TcpSocket::wait_read,
                       [self = shared_from_this(), attempt](const auto& error) {
                         self->afterReadable(attempt, error);
                       });
  }

  void afterReadable(std::uint32_t attempt, const boost::system::error_code& error) {
    if (!report_ || attempt != attempt_) {
      return;
    }
    if (error) {
      return closedUncleanly(error);
    }

    // Drain what the server sent; only the end of the stream or an error matters.
    std::array<char, 512> scratch;
    for (;;) {
      boost::system::error_code read_error;
      socket_.read_some(asio::buffer(scratch), read_error);
      if (read_error == asio::error::would_block) {
        return watch();
      }
      if (read_error == asio::error::eof) {
        return closedCleanly();
      }
      if (read_error) {
        return closedUncleanly(read_error);
      }
    }
  }

  void closedCleanly() {
    boost::system::error_code ignored;
    socket_.close(ignored);
    connect(true);
  }

  void closedUncleanly(const boost::system::error_code& error) {
    boost::system::error_code ignored;
    socket_.close(ignored);
    fail(failure("connection lost", error), false);
  }

  void fail(std::string message, bool timed_out) {
    const nanoseconds delay = jitteredInterval(backoff_.next(), plan_->config.jitter, randomUnit());
    const std::uint32_t attempt = attempt_;
    timer_.expires_after(delay);
    timer_.async_wait([self = shared_from_this(), attempt](const auto& error) {
      if (!error && self->report_ && attempt == self->attempt_) {
        self->connect(false);
      }
    });
    emit(false, std::move(message), timed_out);
  }

  // Last in each step: the report may stop the probe.
  void emit(bool up, std::string message, bool timed_out) {
    report_(ProbeResult{up, std::move(message), {}}, timed_out);
  }

  TcpSocket socket_;
  SteadyTimer timer_;
  std::shared_ptr<const MonitorPlan> plan_;
  Backoff backoff_;
  Report report_;
  // Bumped by each step, so that the loser of a race (connect vs deadline) is ignored. 32
  // bits: a handler 2^32 steps old is long gone.
  std::uint32_t attempt_ = 0;
  // The server's address and port rather than an endpoint (28 bytes, sockaddr_in6), packed
  // with quick_: the session stays within a smaller allocation.
  IpAddress address_;
  bool quick_ = false;
  std::uint16_t port_;
};

IdleConnectionProbe::IdleConnectionProbe(asio::io_context& io, IpAddress address,
                                         std::uint16_t port,
                                         std::shared_ptr<const MonitorPlan> plan)
    : session_(std::make_shared<Session>(io, address, port, std::move(plan))) {}

IdleConnectionProbe::~IdleConnectionProbe() {
  stop();
}

void IdleConnectionProbe::start(Report report) {
  session_->start(std::move(report));
}

void IdleConnectionProbe::stop() {
  session_->stop();
}

}  // namespace vipd::monitor
