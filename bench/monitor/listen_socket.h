// The listening socket of the bench's own servers (detect_backend, hold_server): IPv4, non
// blocking, SO_REUSEADDR. Plain sockets on purpose: the servers stand for other machines and
// must cost as little as the kernel allows.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstdio>

// A listening socket on address:port with the given backlog (capped by net.core.somaxconn),
// or -1 after saying why on stderr.
inline int listenOn(const char* address_text, unsigned port, int backlog) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  if (port == 0 || port > 65535 || inet_pton(AF_INET, address_text, &address.sin_addr) != 1) {
    return -1;
  }
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) < 0 ||
      listen(fd, backlog) < 0) {
    std::perror("bind/listen");
    return -1;
  }
  return fd;
}
