// IcmpProbe: the icmp kind. Each check sends one echo request (IPv4 ICMP or ICMPv6, by the
// server's address) with payload_size bytes of payload and is up on the matching echo reply.
// It uses a ping socket (SOCK_DGRAM, where net.ipv4.ping_group_range allows it; the kernel
// then owns the identifier and routes replies by it) and otherwise a raw socket (root or
// CAP_NET_RAW), connected to the server so that only its packets arrive; the identifier (per
// probe) and the sequence (per check) tell this check's reply from any other. No reply within
// the timeout is down.
#pragma once

#include <cstdint>
#include <memory>

#include "common/ip_address.h"
#include "config/model.h"
#include "monitor/probe.h"

namespace vipd::monitor {

class IcmpProbe final : public Probe {
 public:
  IcmpProbe(boost::asio::io_context& io, IpAddress address, const config::IcmpParams& params);
  ~IcmpProbe() override;

  void start(Done done) override;
  void cancel() override;

 private:
  class Check;

  boost::asio::io_context& io_;
  IpAddress address_;
  std::uint32_t payload_size_;
  std::uint16_t identifier_;
  std::uint16_t sequence_ = 0;
  std::weak_ptr<Check> check_;
};

}  // namespace vipd::monitor
