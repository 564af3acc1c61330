// DnsProbe: the dns kind (PyBal's DNSQuery). A check asks the server (its address, port 53 or
// params.port) for one of the hostnames, chosen at random, of type A or AAAA (or either at
// random, as PyBal does), over UDP; a truncated reply (TC) is asked again over TCP.
// Up on NOERROR (with expect_answer: only with an answer of the type asked), and on NXDOMAIN
// unless fail_on_nxdomain; SERVFAIL, REFUSED, any other RCODE, an ICMP port unreachable, a
// malformed reply and the timeout are down. Replies with another id or question are ignored.
#pragma once

#include <cstdint>
#include <memory>

#include "common/ip_address.h"
#include "config/model.h"
#include "monitor/probe.h"

namespace vipd::monitor {

class DnsProbe final : public Probe {
 public:
  DnsProbe(boost::asio::io_context& io, IpAddress address, config::DnsParams params);
  ~DnsProbe() override;

  void start(Done done) override;
  void cancel() override;

 private:
  class Check;

  boost::asio::io_context& io_;
  IpAddress address_;
  config::DnsParams params_;
  std::weak_ptr<Check> check_;
};

}  // namespace vipd::monitor
