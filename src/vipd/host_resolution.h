// HostResolution: the address one server's host name resolves to, kept current. A numeric
// host is its own address. A name is resolved at start() and again every interval; the
// address in use is kept while the answer still contains it (round-robin DNS does not move
// a server), and a name that stops resolving keeps its last address and is reported.
#pragma once

#include <chrono>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip_address.h"

namespace boost::asio {
class io_context;
}

namespace vipd {

class HostResolution {
 public:
  // Called when the address is first known and whenever it changes.
  using OnAddress = std::function<void(const IpAddress&)>;
  // Looks a name up and calls back, from the loop, with every address or the error in words.
  using Answer = std::expected<std::vector<IpAddress>, std::string>;
  using Lookup = std::function<void(const std::string& host, std::function<void(Answer)> done)>;

  // The system's resolver (getaddrinfo, through Asio), asynchronous.
  static Lookup systemLookup(boost::asio::io_context& io);

  // A host that is a numeric address needs no HostResolution (no resolver, timer or strings
  // held for it): its address, or an error when its family is not `family`. std::nullopt for
  // a name, which does.
  using Numeric = std::optional<std::expected<IpAddress, std::string>>;
  static Numeric numericAddress(std::string_view host, IpAddress::Family family);

  HostResolution(boost::asio::io_context& io, std::string host, IpAddress::Family family,
                 std::chrono::milliseconds interval, OnAddress on_address);
  // With another lookup (tests script the answers).
  HostResolution(boost::asio::io_context& io, std::string host, IpAddress::Family family,
                 std::chrono::milliseconds interval, OnAddress on_address, Lookup lookup);
  ~HostResolution();
  HostResolution(const HostResolution&) = delete;
  HostResolution& operator=(const HostResolution&) = delete;

  void start();

  const std::string& host() const;
  const std::optional<IpAddress>& address() const;
  // The last resolution error, empty while the name resolves.
  const std::string& lastError() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace vipd
