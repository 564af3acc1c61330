// The reference prober: the machine's limit for vipd's http monitor, measured in the same run.
//
// It does what one http check of vipd does and nothing more: a new TCP connection per check, one
// GET, the status line read, the connection closed. Plain epoll on one thread, no framework, no
// allocation per check. Targets are COUNT consecutive IPv4 addresses from FIRST, all on PORT;
// each is checked once per interval, the checks spread evenly over the interval so that the load
// is steady. Starts are batched to the millisecond (epoll_wait's resolution), which is the
// cheapest schedule a prober can have: vipd, with one timer per check, can only do more work.
//
// Every --report-every seconds it prints one line of counters on stdout; the run script reads
// its CPU time from /proc, the same way as vipd's.
//
// Usage: reference_prober --first 127.1.0.1 --count 1000 --port 8080 [--interval-ms 1000]
//          [--timeout-ms 5000] [--host web.example] [--path /] [--duration-s 0]
//          [--report-every-s 10]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

struct Options {
  std::uint32_t first_address = 0;  // host byte order
  std::uint32_t count = 0;
  std::uint16_t port = 0;
  milliseconds interval{1000};
  milliseconds timeout{5000};
  std::string host = "web.example";
  std::string path = "/";
  std::chrono::seconds duration{0};  // 0: until SIGINT or SIGTERM
  std::chrono::seconds report_every{10};
  int expected_status = 200;
};

struct Counters {
  std::uint64_t started = 0;
  std::uint64_t ok = 0;
  std::uint64_t bad_status = 0;
  std::uint64_t failed = 0;
  std::uint64_t timeouts = 0;
  // A target whose previous check still ran when the next one was due.
  std::uint64_t skipped = 0;
};

enum class State : std::uint8_t { Idle, Connecting, Reading };

// One check in flight, indexed by its file descriptor.
struct Slot {
  State state = State::Idle;
  std::uint8_t have = 0;
  std::uint32_t target = 0;
  std::uint64_t serial = 0;
  char status_line[16] = {};
};

struct Pending {
  int fd;
  std::uint64_t serial;
  Clock::time_point deadline;
};

volatile sig_atomic_t stop_requested = 0;

void onSignal(int) {
  stop_requested = 1;
}

template <typename T>
bool parseNumber(std::string_view text, T& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

std::expected<Options, std::string> parseOptions(std::span<char*> args) {
  Options options;
  bool have_first = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string_view name = args[i];
    if (i + 1 >= args.size()) {
      return std::unexpected(std::string(name) + " needs a value");
    }
    const std::string_view value = args[++i];
    std::uint32_t number = 0;
    const bool numeric = parseNumber(value, number);
    if (name == "--first") {
      in_addr address{};
      if (inet_pton(AF_INET, std::string(value).c_str(), &address) != 1) {
        return std::unexpected("--first takes an IPv4 address");
      }
      options.first_address = ntohl(address.s_addr);
      have_first = true;
    } else if (name == "--host") {
      options.host = value;
    } else if (name == "--path") {
      options.path = value;
    } else if (!numeric) {
      return std::unexpected(std::string(name) + " takes a number, or is unknown");
    } else if (name == "--count") {
      options.count = number;
    } else if (name == "--port" && number > 0 && number < 65536) {
      options.port = static_cast<std::uint16_t>(number);
    } else if (name == "--interval-ms" && number > 0) {
      options.interval = milliseconds(number);
    } else if (name == "--timeout-ms" && number > 0) {
      options.timeout = milliseconds(number);
    } else if (name == "--duration-s") {
      options.duration = std::chrono::seconds(number);
    } else if (name == "--report-every-s" && number > 0) {
      options.report_every = std::chrono::seconds(number);
    } else if (name == "--status") {
      options.expected_status = static_cast<int>(number);
    } else {
      return std::unexpected("bad option or value: " + std::string(name));
    }
  }
  if (!have_first || options.count == 0 || options.port == 0) {
    return std::unexpected("--first, --count and --port are needed");
  }
  return options;
}

class Prober {
 public:
  explicit Prober(Options options)
      : options_(std::move(options)),
        request_("GET " + options_.path + " HTTP/1.1\r\nHost: " + options_.host +
                 "\r\nUser-Agent: vipd-reference-prober\r\nConnection: close\r\n\r\n"),
        target_busy_(options_.count, false) {}

  int run() {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) {
      std::perror("epoll_create1");
      return 1;
    }
    start_ = Clock::now();
    last_report_ = start_;
    std::vector<epoll_event> events(1024);

    while (!stop_requested) {
      const Clock::time_point now = Clock::now();
      if (options_.duration.count() > 0 && now - start_ >= options_.duration) {
        break;
      }
      startDue(now);
      expireTimeouts(now);
      if (now - last_report_ >= options_.report_every) {
        report("report", now);
        last_report_ = now;
      }

      const int ready = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()),
                                   waitMilliseconds(Clock::now()));
      if (ready < 0 && errno != EINTR) {
        std::perror("epoll_wait");
        return 1;
      }
      for (int i = 0; i < ready; ++i) {
        const epoll_event& event = events[static_cast<std::size_t>(i)];
        onEvent(event.data.fd, event.events);
      }
    }
    report("total", Clock::now());
    return 0;
  }

 private:
  Clock::time_point dueTime(std::uint64_t check) const {
    const auto interval = std::chrono::duration_cast<nanoseconds>(options_.interval).count();
    return start_ + nanoseconds(static_cast<std::int64_t>(check) * interval / options_.count);
  }

  // Until the next start is due, rounded up, and never so long that timeouts go unseen.
  int waitMilliseconds(Clock::time_point now) const {
    const auto until = dueTime(next_check_) - now;
    const auto wait = std::chrono::ceil<milliseconds>(until).count();
    return static_cast<int>(std::clamp<std::int64_t>(wait, 0, 10));
  }

  void startDue(Clock::time_point now) {
    while (dueTime(next_check_) <= now) {
      const auto target = static_cast<std::uint32_t>(next_check_ % options_.count);
      ++next_check_;
      if (target_busy_[target]) {
        ++counters_.skipped;
        continue;
      }
      startCheck(target, now);
    }
  }

  void startCheck(std::uint32_t target, Clock::time_point now) {
    ++counters_.started;
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      ++counters_.failed;
      return;
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(options_.port);
    address.sin_addr.s_addr = htonl(options_.first_address + target);
    // Loopback may complete the handshake at once; either way EPOLLOUT says it is done.
    if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) < 0 &&
        errno != EINPROGRESS) {
      close(fd);
      ++counters_.failed;
      return;
    }

    epoll_event event{};
    event.events = EPOLLOUT;
    event.data.fd = fd;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) < 0) {
      close(fd);
      ++counters_.failed;
      return;
    }

    if (static_cast<std::size_t>(fd) >= slots_.size()) {
      slots_.resize(static_cast<std::size_t>(fd) * 2 + 16);
    }
    Slot& slot = slots_[static_cast<std::size_t>(fd)];
    slot = Slot{State::Connecting, 0, target, ++serial_, {}};
    target_busy_[target] = true;
    pending_.push_back(Pending{fd, slot.serial, now + options_.timeout});
  }

  void onEvent(int fd, std::uint32_t events) {
    Slot& slot = slots_[static_cast<std::size_t>(fd)];
    if (slot.state == State::Connecting) {
      return afterConnect(fd, slot, events);
    }
    if (slot.state == State::Reading) {
      return afterReadable(fd, slot);
    }
  }

  void afterConnect(int fd, Slot& slot, std::uint32_t events) {
    int error = 0;
    socklen_t length = sizeof error;
    if ((events & (EPOLLERR | EPOLLHUP)) != 0 ||
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) < 0 || error != 0) {
      return finish(fd, slot, counters_.failed);
    }
    const ssize_t sent = send(fd, request_.data(), request_.size(), MSG_NOSIGNAL);
    if (sent != static_cast<ssize_t>(request_.size())) {
      return finish(fd, slot, counters_.failed);
    }
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = fd;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &event) < 0) {
      return finish(fd, slot, counters_.failed);
    }
    slot.state = State::Reading;
  }

  // Reads until the status line ("HTTP/1.1 200 ") is complete; the rest is not looked at.
  void afterReadable(int fd, Slot& slot) {
    constexpr std::size_t kStatusLength = 12;
    char buffer[4096];
    const ssize_t got = recv(fd, buffer, sizeof buffer, 0);
    if (got < 0 && (errno == EAGAIN || errno == EINTR)) {
      return;
    }
    if (got <= 0) {
      return finish(fd, slot, counters_.failed);
    }
    const std::size_t take =
        std::min(static_cast<std::size_t>(got), kStatusLength - std::size_t{slot.have});
    std::memcpy(slot.status_line + slot.have, buffer, take);
    slot.have = static_cast<std::uint8_t>(slot.have + take);
    if (slot.have < kStatusLength) {
      return;
    }

    const std::string_view line(slot.status_line, kStatusLength);
    int status = 0;
    if (!line.starts_with("HTTP/1.") || !parseNumber(line.substr(9, 3), status)) {
      return finish(fd, slot, counters_.failed);
    }
    finish(fd, slot, status == options_.expected_status ? counters_.ok : counters_.bad_status);
  }

  void finish(int fd, Slot& slot, std::uint64_t& outcome) {
    ++outcome;
    target_busy_[slot.target] = false;
    slot.state = State::Idle;
    close(fd);
  }

  // All checks share one timeout, so the oldest pending check always expires first.
  void expireTimeouts(Clock::time_point now) {
    while (!pending_.empty()) {
      const Pending& oldest = pending_.front();
      Slot& slot = slots_[static_cast<std::size_t>(oldest.fd)];
      const bool live = slot.state != State::Idle && slot.serial == oldest.serial;
      if (live && oldest.deadline > now) {
        return;
      }
      if (live) {
        finish(oldest.fd, slot, counters_.timeouts);
      }
      pending_.pop_front();
    }
  }

  void report(const char* what, Clock::time_point now) const {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                       static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    std::printf(
        "%s elapsed_s=%.3f started=%llu ok=%llu bad_status=%llu failed=%llu timeouts=%llu "
        "skipped=%llu cpu_s=%.3f\n",
        what, elapsed, static_cast<unsigned long long>(counters_.started),
        static_cast<unsigned long long>(counters_.ok),
        static_cast<unsigned long long>(counters_.bad_status),
        static_cast<unsigned long long>(counters_.failed),
        static_cast<unsigned long long>(counters_.timeouts),
        static_cast<unsigned long long>(counters_.skipped), cpu);
    std::fflush(stdout);
  }

  Options options_;
  std::string request_;
  int epoll_fd_ = -1;
  Clock::time_point start_;
  Clock::time_point last_report_;
  std::uint64_t next_check_ = 0;
  std::uint64_t serial_ = 0;
  std::vector<Slot> slots_;
  std::vector<bool> target_busy_;
  std::deque<Pending> pending_;
  Counters counters_;
};

}  // namespace

int main(int argc, char** argv) {
  auto options = parseOptions(std::span<char*>(argv, static_cast<std::size_t>(argc)));
  if (!options) {
    std::fprintf(stderr, "reference_prober: %s\n", options.error().c_str());
    return 2;
  }

  // No SA_RESTART: epoll_wait returns EINTR and the loop sees the flag at once.
  struct sigaction action {};
  action.sa_handler = onSignal;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  return Prober(std::move(*options)).run();
}
