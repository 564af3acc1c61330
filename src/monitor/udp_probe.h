// UdpProbe: the udp kind (PyBal's UDP monitor). Each check sends the payload (by default an
// empty datagram) on a connected UDP socket.
// - With expect_reply, a reply within the timeout is up; an ICMP port unreachable
//   (ECONNREFUSED on the connected socket) or no reply is down.
// - Without it, the check waits half the timeout for an ICMP port unreachable: one marks the
//   server down, and it stays down until icmp_timeout has passed since the last such error
//   (PyBal's semantics); a check with no error after that is up. A reply is up at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "common/ip_address.h"
#include "config/model.h"
#include "monitor/probe.h"

namespace vipd::monitor {

class UdpProbe final : public Probe {
 public:
  UdpProbe(boost::asio::io_context& io, IpAddress address, std::uint16_t port,
           const config::MonitorConfig& config);
  ~UdpProbe() override;

  void start(Done done) override;
  void cancel() override;

 private:
  class Check;

  boost::asio::io_context& io_;
  IpAddress address_;
  std::uint16_t port_;
  config::UdpParams params_;
  std::chrono::nanoseconds settle_;
  // When the last ICMP error came; kept between checks for icmp_timeout.
  std::optional<std::chrono::steady_clock::time_point> last_error_;
  std::weak_ptr<Check> check_;
};

}  // namespace vipd::monitor
