// The octets a TCP socket has transmitted (TCP_INFO tcpi_bytes_sent, RFC 4898
// tcpEStatsPerfHCDataOctetsOut). Its own translation unit: the kernel's struct tcp_info, which
// has the field, cannot share one with glibc's <netinet/tcp.h>, which Asio includes.
#pragma once

#include <cstdint>
#include <optional>

std::optional<std::uint64_t> tcpBytesSent(int fd);
// The octets written to the socket and not sent yet (SIOCOUTQNSD): 0 once everything
// written has left it.
std::optional<std::uint64_t> tcpNotSent(int fd);
