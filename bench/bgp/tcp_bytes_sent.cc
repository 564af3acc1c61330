#include "tcp_bytes_sent.h"

#include <linux/sockios.h>  // SIOCOUTQNSD
#include <linux/tcp.h>
#include <netinet/in.h>  // IPPROTO_TCP
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstddef>

std::optional<std::uint64_t> tcpBytesSent(int fd) {
  tcp_info info{};
  socklen_t length = sizeof info;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0 ||
      length < offsetof(tcp_info, tcpi_bytes_sent) + sizeof info.tcpi_bytes_sent) {
    return std::nullopt;
  }
  return info.tcpi_bytes_sent;
}

std::optional<std::uint64_t> tcpNotSent(int fd) {
  int queued = 0;
  if (::ioctl(fd, SIOCOUTQNSD, &queued) != 0 || queued < 0) {
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(queued);
}
