// HttpProbe: the http kind (PyBal's ProxyFetch), https by the URL's scheme.
//
// A check GETs one URL chosen at random, or every URL with check_all (then up unless more than
// max_failures of them fail), each on a new connection to the SERVER's address and port. The
// URL gives the Host header (and for https the SNI name and the name the certificate must
// match, when tls_verify is on, against the system's CA store) and the path and query.
// Up when the status is exactly http_status (a 3xx value expects a redirect, which is not
// followed) and, with body_match, the body contains that text. The request says
// `Connection: close` and names vipd as its User-Agent.
//
// Without body_match only the status line is read (at most 1 KiB, http_status_line.h): the
// header fields are neither parsed nor kept. With body_match the response is read with
// Beast's parser, its header bounded to 16 KiB and its body to 1 MiB.
//
// The URLs, their requests and success messages are prepared once in the shared plan
// (http_settings.h); a check with one URL allocates only its connection's state.
#pragma once

#include <cstdint>
#include <memory>

#include "common/ip_address.h"
#include "monitor/monitor.h"
#include "monitor/probe.h"

namespace vipd::monitor {

class HttpProbe final : public Probe {
 public:
  // `plan` is an http plan (its `http` settings are set).
  HttpProbe(boost::asio::io_context& io, IpAddress address, std::uint16_t port,
            std::shared_ptr<const MonitorPlan> plan);
  ~HttpProbe() override;

  void start(Done done) override;
  void cancel() override;

  // What a running check exposes to the probe: a way to give it up.
  class Running {
   public:
    virtual ~Running() = default;
    virtual void abandon() = 0;
  };

 private:
  class Check;

  // The running check's end: forgets it, then calls done_.
  void afterCheck(ProbeResult result);

  boost::asio::io_context& io_;
  IpAddress address_;
  std::uint16_t port_;
  std::shared_ptr<const MonitorPlan> plan_;
  std::weak_ptr<Running> running_;
  Done done_;  // the running check's
};

}  // namespace vipd::monitor
