#include "monitor/icmp_probe.h"

#include <fmt/format.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>
#include <expected>
#include <utility>

#include "monitor/icmp_packet.h"
#include "monitor/random.h"

namespace vipd::monitor {

namespace asio = boost::asio;

namespace {

// Bigger payloads than this are cut to it: an echo larger than a jumbo frame tells nothing more.
constexpr std::uint32_t kMaxPayload = 9000;

struct Opened {
  int fd = -1;
  bool raw = false;
};

// A ping socket if allowed, else a raw one.
std::expected<Opened, std::string> openSocket(bool v6) {
  const int family = v6 ? AF_INET6 : AF_INET;
  const int protocol = v6 ? static_cast<int>(IPPROTO_ICMPV6) : static_cast<int>(IPPROTO_ICMP);
  const int flags = SOCK_NONBLOCK | SOCK_CLOEXEC;
  const int ping = ::socket(family, SOCK_DGRAM | flags, protocol);
  if (ping >= 0) {
    return Opened{ping, false};
  }
  const int raw = ::socket(family, SOCK_RAW | flags, protocol);
  if (raw >= 0) {
    return Opened{raw, true};
  }
  return std::unexpected(
      fmt::format("icmp: socket: {} (needs a ping socket or CAP_NET_RAW)", std::strerror(errno)));
}

int connectTo(int fd, const IpAddress& address) {
  if (address.isV4()) {
    sockaddr_in peer{};
    peer.sin_family = AF_INET;
    std::memcpy(&peer.sin_addr, address.bytes().data(), 4);
    return ::connect(fd, reinterpret_cast<const sockaddr*>(&peer), sizeof peer);
  }
  sockaddr_in6 peer{};
  peer.sin6_family = AF_INET6;
  std::memcpy(&peer.sin6_addr, address.bytes().data(), 16);
  return ::connect(fd, reinterpret_cast<const sockaddr*>(&peer), sizeof peer);
}

// A raw ICMPv6 socket sees all ICMPv6 (neighbour discovery too); let only echo replies in.
void filterEchoReplies(int fd) {
  icmp6_filter filter;
  ICMP6_FILTER_SETBLOCKALL(&filter);
  ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
  ::setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter);
}

}  // namespace

class IcmpProbe::Check : public std::enable_shared_from_this<Check> {
 public:
  Check(asio::io_context& io, Done done) : io_(io), socket_(io), done_(std::move(done)) {}

  void run(const IpAddress& address, IcmpEcho echo, std::uint32_t payload_size) {
    v6_ = address.isV6();
    auto opened = openSocket(v6_);
    if (!opened) {
      return failLater(std::move(opened.error()));
    }
    socket_.assign(opened->fd);
    raw_ = opened->raw;
    if (raw_ && v6_) {
      filterEchoReplies(opened->fd);
    }
    if (connectTo(opened->fd, address) != 0) {
      return failLater(fmt::format("icmp: connect: {}", std::strerror(errno)));
    }

    // A ping socket replaces the identifier with its own; read it back to match replies.
    echo_ = echo;
    if (!raw_) {
      echo_.identifier = boundIdentifier(opened->fd, echo.identifier);
    }
    const auto request = encodeIcmpEcho(v6_, echo_, std::min(payload_size, kMaxPayload));
    if (::send(opened->fd, request.data(), request.size(), 0) < 0) {
      return failLater(fmt::format("icmp: send: {}", std::strerror(errno)));
    }
    if (!raw_) {
      echo_.identifier = boundIdentifier(opened->fd, echo_.identifier);
    }
    buffer_.resize(request.size() + 128);
    wait();
  }

  void abandon() {
    done_ = nullptr;
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

 private:
  static std::uint16_t boundIdentifier(int fd, std::uint16_t fallback) {
    sockaddr_storage local{};
    socklen_t size = sizeof local;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &size) != 0) {
      return fallback;
    }
    const std::uint16_t port = local.ss_family == AF_INET6
                                   ? reinterpret_cast<const sockaddr_in6*>(&local)->sin6_port
                                   : reinterpret_cast<const sockaddr_in*>(&local)->sin_port;
    return port == 0 ? fallback : ntohs(port);
  }

  void wait() {
    socket_.async_wait(
        asio::posix::stream_descriptor::wait_read,
        [self = shared_from_this()](const auto& error) { self->afterReadable(error); });
  }

  void afterReadable(const boost::system::error_code& error) {
    if (!done_) {
      return;
    }
    if (error) {
      return finish(false, fmt::format("icmp: wait: {}", error.message()));
    }
    for (;;) {
      const ssize_t size = ::recv(socket_.native_handle(), buffer_.data(), buffer_.size(), 0);
      if (size < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        return wait();
      }
      if (size < 0) {
        return finish(false, fmt::format("icmp: receive: {}", std::strerror(errno)));
      }
      const auto reply = parseIcmpEchoReply(
          v6_, raw_ && !v6_, std::span(buffer_.data(), static_cast<std::size_t>(size)));
      if (reply && reply->identifier == echo_.identifier && reply->sequence == echo_.sequence) {
        return finish(true, "icmp: echo reply");
      }
    }
  }

  void failLater(std::string message) {
    asio::post(io_, [self = shared_from_this(), message = std::move(message)] {
      if (self->done_) {
        self->finish(false, message);
      }
    });
  }

  void finish(bool up, std::string message) {
    auto done = std::move(done_);
    done_ = nullptr;
    boost::system::error_code ignored;
    socket_.close(ignored);
    done(ProbeResult{up, std::move(message), {}});
  }

  asio::io_context& io_;
  asio::posix::stream_descriptor socket_;
  std::vector<std::uint8_t> buffer_;
  IcmpEcho echo_;
  bool v6_ = false;
  bool raw_ = false;
  Done done_;
};

IcmpProbe::IcmpProbe(asio::io_context& io, IpAddress address, const config::IcmpParams& params)
    : io_(io), address_(address), payload_size_(params.payload_size), identifier_(random16()) {}

IcmpProbe::~IcmpProbe() {
  cancel();
}

void IcmpProbe::start(Done done) {
  cancel();
  auto check = std::make_shared<Check>(io_, std::move(done));
  check->run(address_, IcmpEcho{identifier_, ++sequence_}, payload_size_);
  check_ = check;
}

void IcmpProbe::cancel() {
  if (const auto check = check_.lock()) {
    check->abandon();
  }
  check_.reset();
}

}  // namespace vipd::monitor
