// The server of the 100,000-connection run (bench/monitor/run-vm-idle): it accepts every
// connection on ADDRESS:PORT (0.0.0.0 serves every 127.0.0.0/8 address on loopback) and holds
// it, reading and dropping what arrives, closing it when the peer does. One thread, epoll,
// no allocation per connection: it must cost the machine little beside vipd.
//
// Every REPORT seconds it prints one line: "held H accepted A closed C", H the connections
// open now.
//
// Usage: hold_server ADDRESS PORT [REPORT]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string_view>

#include "listen_socket.h"

namespace {

unsigned number(const char* text) {
  const std::string_view view(text);
  unsigned value = 0;
  std::from_chars(view.data(), view.data() + view.size(), value);
  return value;
}

struct Counts {
  std::uint64_t accepted = 0;
  std::uint64_t closed = 0;
};

void acceptAll(int epoll_fd, int listener, Counts& counts) {
  for (;;) {
    const int fd = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
        std::perror("hold_server: accept");  // EMFILE: the descriptor limit is too low
      }
      return;
    }
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP;
    event.data.fd = fd;
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event);
    ++counts.accepted;
  }
}

// Drops what the peer sent; closes on its end of stream or an error.
void drain(int fd, Counts& counts) {
  std::array<char, 4096> scratch;
  for (;;) {
    const ssize_t got = recv(fd, scratch.data(), scratch.size(), 0);
    if (got > 0) {
      continue;
    }
    if (got < 0 && (errno == EAGAIN || errno == EINTR)) {
      return;
    }
    close(fd);  // also removes it from the epoll set
    ++counts.closed;
    return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: hold_server ADDRESS PORT [REPORT_SECONDS]\n");
    return 2;
  }
  const int listener = listenOn(argv[1], number(argv[2]), 65535);
  if (listener < 0) {
    return 1;
  }
  const auto report_every = std::chrono::seconds(argc > 3 ? number(argv[3]) : 5);
  const int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = listener;
  epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listener, &event);
  std::printf("listening\n");
  std::fflush(stdout);

  Counts counts;
  auto next_report = std::chrono::steady_clock::now() + report_every;
  std::array<epoll_event, 512> events;
  for (;;) {
    const int ready = epoll_wait(epoll_fd, events.data(), events.size(), 1000);
    for (int i = 0; i < ready; ++i) {
      const int fd = events[static_cast<std::size_t>(i)].data.fd;
      if (fd == listener) {
        acceptAll(epoll_fd, listener, counts);
      } else {
        drain(fd, counts);
      }
    }
    if (std::chrono::steady_clock::now() >= next_report) {
      next_report += report_every;
      std::printf("held %llu accepted %llu closed %llu\n",
                  static_cast<unsigned long long>(counts.accepted - counts.closed),
                  static_cast<unsigned long long>(counts.accepted),
                  static_cast<unsigned long long>(counts.closed));
      std::fflush(stdout);
    }
  }
}
