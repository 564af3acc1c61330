// IdleConnectionProbe: the idle-connection kind (PyBal's IdleConnection). It holds one TCP
// connection to the server's address:port and reports as soon as something happens, driven by
// the socket's events (no polling):
// - connected: up;
// - closed uncleanly (RST, an error, keepalive giving up): down at once;
// - closed cleanly (FIN): one quick reconnect, bounded by timeout-clean-reconnect; up if it
//   opens, down if not;
// - a connect attempt that fails or outlasts the monitor's timeout: down.
// After a down it reconnects with exponential back-off: the first delay is the monitor's
// interval (at most 1 s), doubling up to max-delay, each delay jittered like the interval.
// Bytes the server sends are read and dropped. TCP keepalive is set as configured.
//
// What it keeps per server is trimmed for servers by the hundred thousand: the shared plan
// instead of a copy of the parameters, one socket, one timer (connect deadline, then
// reconnect delay), and no buffer while the connection is idle.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "common/ip_address.h"
#include "config/model.h"
#include "monitor/monitor.h"
#include "monitor/probe.h"

namespace vipd::monitor {

class IdleConnectionProbe final : public ContinuousProbe {
 public:
  IdleConnectionProbe(boost::asio::io_context& io, IpAddress address, std::uint16_t port,
                      std::shared_ptr<const MonitorPlan> plan);
  ~IdleConnectionProbe() override;

  void start(Report report) override;
  void stop() override;

 private:
  class Session;

  std::shared_ptr<Session> session_;
};

}  // namespace vipd::monitor
