// TcpProbe: the tcp kind. Up when a connection to the server's address:port opens; with
// `send`, that text is written once connected; with `expect`, the server's first bytes must
// be exactly that text (the reply starts with it). The connection is closed after each check.
#pragma once

#include <cstdint>
#include <memory>

#include "common/ip_address.h"
#include "config/model.h"
#include "monitor/probe.h"

namespace vipd::monitor {

class TcpProbe final : public Probe {
 public:
  TcpProbe(boost::asio::io_context& io, IpAddress address, std::uint16_t port,
           config::TcpParams params);
  ~TcpProbe() override;

  void start(Done done) override;
  void cancel() override;

 private:
  class Check;

  boost::asio::io_context& io_;
  IpAddress address_;
  std::uint16_t port_;
  config::TcpParams params_;
  // The running check lives only as long as its handlers hold it.
  std::weak_ptr<Check> check_;
};

}  // namespace vipd::monitor
