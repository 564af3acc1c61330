// Listener: the TCP listening sockets every passive (and active) peer shares. An accepted
// connection goes to the Session whose peer address it comes from (a v4-mapped address on
// a dual-stack socket counts as IPv4); a connection from anyone else is closed at once.
// MD5 keys (RFC 2385) are set on each listening socket, one per peer that has a password,
// so that the kernel checks the peer's SYN already. Asio stays in listener.cc.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/ip_address.h"

namespace boost::asio {
class io_context;
}

namespace vipd::bgp {

class Session;

class Listener {
 public:
  // Finds the session of a peer address, or nullptr.
  using Lookup = std::function<Session*(const IpAddress& peer)>;

  Listener(boost::asio::io_context& io, Lookup lookup);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Binds address:port (port 0: any free one; see endpoints()) and starts accepting.
  std::expected<void, std::string> listen(const IpAddress& address, std::uint16_t port);
  // Every address, IPv4 and IPv6, on one dual-stack socket.
  std::expected<void, std::string> listenAny(std::uint16_t port);
  // The MD5 key of a peer, on every listening socket (those bound later get it too).
  std::expected<void, std::string> setMd5Key(const IpAddress& peer, std::string_view password);

  std::vector<std::pair<IpAddress, std::uint16_t>> endpoints() const;
  void close();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vipd::bgp
