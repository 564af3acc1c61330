// A killable backend for the detection benchmark (bench/monitor/run detect ...).
//
// Listens on ADDRESS:PORT, holds every connection while it is idle (what the idle-connection
// monitor needs) and answers each request with one "200 OK" and a close (what the http monitor
// needs). Prints "listening" once bound. The runner kills it with SIGKILL: the kernel then
// closes its sockets, the death vipd has to notice. It is C++ rather than Python so that dying
// is quick: a process's memory is torn down before its files are closed, and the time that
// takes on a busy machine is counted in the kill-to-depool figure.
//
// Usage: detect_backend ADDRESS PORT
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "listen_socket.h"

namespace {

constexpr std::string_view kResponse =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n"
    "\r\nok\n";

unsigned portOf(const char* text) {
  const std::string_view view(text);
  unsigned port = 0;
  std::from_chars(view.data(), view.data() + view.size(), port);
  return port;
}

void watch(int epoll_fd, int fd) {
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = fd;
  epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event);
}

// Answers a request once its head is in; a connection that only closes is closed too.
void serve(int fd) {
  char buffer[4096];
  const ssize_t got = recv(fd, buffer, sizeof buffer, 0);
  if (got > 0 && std::string_view(buffer, static_cast<std::size_t>(got)).find("\r\n\r\n") ==
                     std::string_view::npos) {
    return;
  }
  if (got > 0) {
    send(fd, kResponse.data(), kResponse.size(), MSG_NOSIGNAL);
  }
  close(fd);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: detect_backend ADDRESS PORT\n");
    return 2;
  }
  const int listener = listenOn(argv[1], portOf(argv[2]), 1024);
  if (listener < 0) {
    return 1;
  }
  const int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  watch(epoll_fd, listener);
  std::printf("listening %s:%s\n", argv[1], argv[2]);
  std::fflush(stdout);

  epoll_event events[64];
  for (;;) {
    const int ready = epoll_wait(epoll_fd, events, 64, -1);
    for (int i = 0; i < ready; ++i) {
      const int fd = events[i].data.fd;
      if (fd != listener) {
        serve(fd);
        continue;
      }
      for (int client; (client = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK)) >= 0;) {
        watch(epoll_fd, client);
      }
    }
  }
}
