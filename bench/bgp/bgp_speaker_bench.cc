// bgp_speaker_bench: vipd's BGP speaker (BgpService) with many VIPs, for bench/bgp/run.
//
// VIP k is 198.18.0.0 + k /32 (198.18.0.0/15, which nothing here routes), with one service of
// two servers; every VIP starts healthy. Each peer is a receiver on PEER_ADDRESS:PEER_PORT
// (BIRD, bench/bgp/run), reached from its own local address: peer j from FIRST_LOCAL + j.
// Hold-down is 0, so that a VIP that recovers is announced at once. Commands come on stdin,
// one a line, and each is answered with one line on stdout:
//
//   established        "established ms=T" once every session is Established (T: since start)
//   startup            startupDone(): every VIP is announced; "ok us=T" (T: the call itself)
//   down-all | up-all  every VIP unhealthy (healthy), one setHealth() each; "ok us=T"
//   remove-all         a reload that configures no VIP (setVips() with none): every prefix
//                      withdrawn at once, as removed; "ok us=T"
//   latency E PAUSE_MS E times: one VIP made unhealthy, then the time until the withdraw
//                      UPDATE has left the session's socket (its TCP_INFO tcpi_bytes_sent
//                      grows); then healthy again, once the announcement has left too; a
//                      random pause of up to PAUSE_MS between events. Answers one line
//                      "latency events=E median_us=.. p99_us=.. max_us=.. min_us=..
//                      cpu_median_us=.. cpu_p99_us=..": wall-clock time, then the CPU time
//                      the thread spent in it (the rest is waiting for a CPU)
//   wire               "wire queued_us=Q us=T" for the last startup, down-all, up-all or
//                      remove-all: Q, the time from the command until its UPDATEs were
//                      encoded and handed to the session's socket (the speaker's work done);
//                      T, until they had all left the socket: nothing unsent in it
//                      (SIOCOUTQNSD 0) and no more sent in the next 200 us, checked every
//                      200 us while the loop is free (T is an upper bound); answered once T
//                      is known. T - Q is the time the receiver took to read what was left
//   memory             "memory rss_bytes=R heap_bytes=H" after malloc_trim(0)
//   status             "status peer=NAME state=STATE updates_sent=U" per peer, then "ok"
//   stop               stops the speaker as the daemon would (withdraw, Cease), then exits
//
// Logs go to stderr at the daemon's default level (info): each announce and withdraw is
// logged, as in the daemon, and the run counts that cost in.
#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bench_vips.h"
#include "bgp/bgp_service.h"
#include "common/log.h"
#include "tcp_bytes_sent.h"

namespace {

using namespace vipd;
using namespace vipd::bgp;
using bench::health;
using bench::vipName;
using Clock = std::chrono::steady_clock;

struct Options {
  std::uint32_t vips = 100'000;
  std::uint32_t peers = 1;
  IpAddress peer_address = *IpAddress::parse("127.0.0.1");
  std::uint16_t peer_port = 11790;
  IpAddress first_local = *IpAddress::parse("127.0.0.2");
  std::uint32_t local_as = 64512;
  std::uint32_t peer_as = 65000;
};

std::uint32_t toNumber(const IpAddress& address) {
  const auto& b = address.bytes();
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         b[3];
}

IpAddress fromNumber(std::uint32_t value) {
  return IpAddress::fromV4(
      {static_cast<std::uint8_t>(value >> 24), static_cast<std::uint8_t>(value >> 16),
       static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)});
}

SpeakerSettings speakerSettings(const Options& options) {
  SpeakerSettings settings;
  settings.local_as = options.local_as;
  settings.router_id = toNumber(options.first_local);
  settings.listen_port = 0;  // active sessions only
  settings.hold_down = Seconds{0};
  for (std::uint32_t j = 0; j < options.peers; ++j) {
    PeerSettings peer;
    peer.name = "r" + std::to_string(j);
    peer.address = options.peer_address;
    peer.port = options.peer_port;
    peer.peer_as = options.peer_as;
    peer.local_address = fromNumber(toNumber(options.first_local) + j);
    peer.hold_time = Seconds{90};
    peer.connect_retry_time = Seconds{1};
    peer.idle_hold_time = Seconds{1};
    peer.max_idle_hold_time = Seconds{2};
    peer.families.ipv6_unicast = false;
    settings.peers.push_back(std::move(peer));
  }
  return settings;
}

// The VIPs' names, made before any timed command: the daemon has its names at hand and
// formats none for a setHealth() call.
std::vector<std::string> vipNames(std::uint32_t count) {
  std::vector<std::string> names;
  names.reserve(count);
  for (std::uint32_t k = 0; k < count; ++k) {
    names.push_back(vipName(k));
  }
  return names;
}

// The bytes this process's TCP connection to the receiver has transmitted (RFC 4898
// tcpEStatsPerfHCDataOctetsOut): it grows when a write has left the socket.
class SentBytes {
 public:
  explicit SentBytes(std::uint16_t peer_port) : peer_port_(peer_port) {}

  std::optional<std::uint64_t> read() {
    if (fd_ < 0 && !find()) {
      return std::nullopt;
    }
    const auto sent = tcpBytesSent(fd_);
    if (!sent) {
      fd_ = -1;
    }
    return sent;
  }
  std::optional<std::uint64_t> notSent() { return fd_ < 0 ? std::nullopt : tcpNotSent(fd_); }

 private:
  // The session's socket is one of this process's descriptors: the TCP one whose peer port
  // is the receiver's.
  bool find() {
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
      int fd = -1;
      const std::string name = entry.path().filename().string();
      std::from_chars(name.data(), name.data() + name.size(), fd);
      sockaddr_storage peer{};
      socklen_t length = sizeof peer;
      if (fd < 0 || ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) != 0 ||
          peer.ss_family != AF_INET) {
        continue;
      }
      if (ntohs(reinterpret_cast<sockaddr_in*>(&peer)->sin_port) == peer_port_) {
        fd_ = fd;
        return true;
      }
    }
    return false;
  }

  std::uint16_t peer_port_;
  int fd_ = -1;
};

std::uint64_t residentBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) {
      return std::stoull(line.substr(6)) * 1024;
    }
  }
  return 0;
}

// The CPU time this thread has used.
std::chrono::nanoseconds threadCpuTime() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

double percentile(std::vector<double> values, double share) {
  std::ranges::sort(values);
  const auto index = static_cast<std::size_t>(share * static_cast<double>(values.size()));
  return values[std::min(values.size() - 1, index)];
}

class Bench {
 public:
  Bench(boost::asio::io_context& io, const Options& options)
      : io_(io),
        options_(options),
        service_(io, speakerSettings(options), bench::vipPolicies(options.vips),
                 bench::referenceAttributes()),
        input_(io, ::dup(STDIN_FILENO)),
        timer_(io),
        wire_timer_(io),
        sent_(options.peer_port),
        names_(vipNames(options.vips)),
        started_at_(Clock::now()) {}

  int run() {
    for (const std::string& name : names_) {
      service_.setHealth(name, health(true));
    }
    if (auto started = service_.start(); !started) {
      std::cerr << started.error() << "\n";
      return 1;
    }
    read();
    io_.run();
    return 0;
  }

 private:
  void read() {
    boost::asio::async_read_until(input_, buffer_, '\n',
                                  [this](const boost::system::error_code& error, std::size_t) {
                                    if (error) {
                                      stop();
                                      return;
                                    }
                                    std::istream in(&buffer_);
                                    std::string line;
                                    std::getline(in, line);
                                    command(line);
                                  });
  }

  // Each command reads the next one once it has answered.
  void command(const std::string& line) {
    std::istringstream in(line);
    std::string verb;
    in >> verb;
    if (verb == "established") {
      waitEstablished();
    } else if (verb == "startup") {
      timed([this] { service_.startupDone(); });
    } else if (verb == "down-all" || verb == "up-all") {
      timed([this, up = verb == "up-all"] { setAll(up); });
    } else if (verb == "remove-all") {
      timed([this] { service_.setVips({}); });
    } else if (verb == "latency" && options_.vips > 0) {
      std::size_t events = 1000;
      int pause_ms = 50;
      in >> events >> pause_ms;
      latency_ = Latency{events, pause_ms, {}, {}, 0, 0};
      nextEvent();
    } else if (verb == "wire") {
      wire_asked_ = true;
      answerWire();
    } else if (verb == "memory") {
      ::malloc_trim(0);
      const struct mallinfo2 heap = ::mallinfo2();
      answer("memory rss_bytes=" + std::to_string(residentBytes()) +
             " heap_bytes=" + std::to_string(heap.uordblks + heap.hblkhd));
    } else if (verb == "status") {
      for (const SessionStatus& status : service_.sessions()) {
        std::cout << "status peer=" << status.name << " state=" << sessionStateName(status.state)
                  << " updates_sent=" << status.counters.updates_sent << "\n";
      }
      answer("ok");
    } else if (verb == "stop") {
      stop();
    } else {
      answer("unknown command: " + verb);
    }
  }

  void answer(const std::string& text) {
    std::cout << text << std::endl;
    read();
  }

  template <typename F>
  void timed(F&& f) {
    const auto start = Clock::now();
    const std::uint64_t before = sent_.read().value_or(0);
    f();
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
    answer("ok us=" + std::to_string(us.count()));
    wire_us_ = -1;
    queued_us_ = -1;
    // Posted after the flush that the command posted: it runs once the UPDATEs are queued.
    boost::asio::post(io_, [this, start] {
      queued_us_ =
          std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
    });
    awaitWire(start, before);
  }

  // Checks every 200 us (a timer, not a spin: the run counts this process's CPU) until the
  // command's UPDATEs are out: the socket holds nothing unsent and sent nothing more since
  // the last check, when the session may still have been between two writes.
  void awaitWire(Clock::time_point start, std::uint64_t before,
                 std::optional<Clock::time_point> out_at = std::nullopt) {
    wire_timer_.expires_after(std::chrono::microseconds(200));
    wire_timer_.async_wait([this, start, before, out_at](const boost::system::error_code& error) {
      if (error) {
        return;
      }
      const auto sent = sent_.read();
      const bool out = sent && *sent != before && sent_.notSent().value_or(1) == 0;

      if (!out) {
        awaitWire(start, before);
      } else if (!out_at || *sent != wire_bytes_) {
        wire_bytes_ = *sent;
        awaitWire(start, before, Clock::now());
      } else {
        wire_us_ = std::chrono::duration_cast<std::chrono::microseconds>(*out_at - start).count();
        answerWire();
      }
    });
  }

  // Once asked, and once the last timed command's UPDATEs are out: a loop busy after them
  // (freeing what a reload removed) may answer the question before the check has run.
  void answerWire() {
    if (!wire_asked_ || wire_us_ < 0) {
      return;
    }
    wire_asked_ = false;
    answer("wire queued_us=" + std::to_string(queued_us_) + " us=" + std::to_string(wire_us_));
  }

  void setAll(bool up) {
    const VipHealth state = health(up);
    for (const std::string& name : names_) {
      service_.setHealth(name, state);
    }
  }

  void waitEstablished() {
    const auto sessions = service_.sessions();
    const bool all = std::ranges::all_of(sessions, [](const SessionStatus& status) {
      return status.state == SessionState::Established;
    });
    if (all) {
      const auto ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_at_);
      answer("established ms=" + std::to_string(ms.count()));
      return;
    }
    timer_.expires_after(std::chrono::milliseconds(5));
    timer_.async_wait([this](const boost::system::error_code& error) {
      if (!error) {
        waitEstablished();
      }
    });
  }

  // --- latency: down verdict -> withdraw UPDATE out of the socket ---------------------------

  struct Latency {
    std::size_t events = 0;
    int pause_ms = 0;
    std::vector<double> us;
    std::vector<double> cpu_us;
    std::uint64_t before = 0;
    std::uint32_t vip = 0;
  };

  void nextEvent() {
    if (latency_.us.size() == latency_.events) {
      reportLatency();
      return;
    }
    const auto before = sent_.read();
    if (!before) {
      answer("latency error=no-session-socket");
      return;
    }
    latency_.before = *before;
    latency_.vip = static_cast<std::uint32_t>(random_() % options_.vips);
    event_at_ = Clock::now();
    event_cpu_at_ = threadCpuTime();
    service_.setHealth(names_[latency_.vip], health(false));
    boost::asio::post(io_, [this] { awaitSent(true); });
  }

  // Polls through the io_context's queue, so that the session's posted write runs first.
  void awaitSent(bool withdraw) {
    const auto now_sent = sent_.read();
    if (now_sent && *now_sent == latency_.before) {
      boost::asio::post(io_, [this, withdraw] { awaitSent(withdraw); });
      return;
    }
    if (withdraw) {
      const std::chrono::duration<double, std::micro> took = Clock::now() - event_at_;
      latency_.us.push_back(took.count());
      const std::chrono::duration<double, std::micro> cpu = threadCpuTime() - event_cpu_at_;
      latency_.cpu_us.push_back(cpu.count());
      latency_.before = now_sent.value_or(0);
      service_.setHealth(names_[latency_.vip], health(true));
      boost::asio::post(io_, [this] { awaitSent(false); });
      return;
    }
    const auto pause_ms = static_cast<std::uint64_t>(latency_.pause_ms);
    const auto pause = static_cast<long>(pause_ms > 0 ? random_() % pause_ms : 0);
    timer_.expires_after(std::chrono::milliseconds(pause + 1));
    timer_.async_wait([this](const boost::system::error_code& error) {
      if (!error) {
        nextEvent();
      }
    });
  }

  void reportLatency() {
    const auto& us = latency_.us;
    const auto [min, max] = std::ranges::minmax(us);
    std::ostringstream line;
    line.setf(std::ios::fixed);
    line.precision(1);
    line << "latency events=" << us.size() << " median_us=" << percentile(us, 0.5)
         << " p99_us=" << percentile(us, 0.99) << " max_us=" << max << " min_us=" << min
         << " cpu_median_us=" << percentile(latency_.cpu_us, 0.5)
         << " cpu_p99_us=" << percentile(latency_.cpu_us, 0.99);
    answer(line.str());
  }

  void stop() {
    service_.stop([this] {
      std::cout << "stopped" << std::endl;
      input_.close();
      timer_.cancel();
    });
  }

  boost::asio::io_context& io_;
  Options options_;
  BgpService service_;
  boost::asio::posix::stream_descriptor input_;
  boost::asio::streambuf buffer_;
  boost::asio::steady_timer timer_;
  boost::asio::steady_timer wire_timer_;
  std::int64_t wire_us_ = -1;  // of the last timed command
  bool wire_asked_ = false;    // and not answered yet
  std::int64_t queued_us_ = -1;
  std::uint64_t wire_bytes_ = 0;
  SentBytes sent_;
  std::vector<std::string> names_;  // VIP k's name at k
  Clock::time_point started_at_;
  Clock::time_point event_at_;
  std::chrono::nanoseconds event_cpu_at_{};
  Latency latency_;
  std::minstd_rand random_{1};
};

std::optional<Options> parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    std::uint32_t number = 0;
    std::from_chars(value.data(), value.data() + value.size(), number);
    if (flag == "--vips") {
      options.vips = number;
    } else if (flag == "--peers") {
      options.peers = number;
    } else if (flag == "--peer-port") {
      options.peer_port = static_cast<std::uint16_t>(number);
    } else if (flag == "--peer-address" && IpAddress::parse(value)) {
      options.peer_address = *IpAddress::parse(value);
    } else if (flag == "--first-local" && IpAddress::parse(value)) {
      options.first_local = *IpAddress::parse(value);
    } else {
      return std::nullopt;
    }
  }
  if (argc % 2 == 0 || options.vips > (1u << 17) || options.peers == 0) {
    return std::nullopt;
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = parse(argc, argv);
  if (!options) {
    std::cerr << "usage: bgp_speaker_bench [--vips N (0 to 131072)] [--peers K] "
                 "[--peer-address A] [--peer-port P] [--first-local A]\n";
    return 2;
  }
  boost::asio::io_context io;
  Bench bench(io, *options);
  return bench.run();
}
