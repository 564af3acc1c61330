// makeMonitor and verdictName (monitor.h): the only place that knows every kind.
#include <cstdlib>
#include <utility>

#include "common/log.h"
#include "monitor/dns_probe.h"
#include "monitor/http_probe.h"
#include "monitor/icmp_probe.h"
#include "monitor/idle_connection_probe.h"
#include "monitor/monitor.h"
#include "monitor/monitor_base.h"
#include "monitor/run_command_probe.h"
#include "monitor/tcp_probe.h"
#include "monitor/udp_probe.h"

namespace vipd::monitor {

std::string_view verdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::Unknown:
      return "unknown";
    case Verdict::Up:
      return "up";
    case Verdict::Down:
      return "down";
  }
  return "unknown";
}

namespace {

std::unique_ptr<Probe> makeProbe(boost::asio::io_context& io, const config::MonitorConfig& config,
                                 const Target& target) {
  switch (config.kind) {
    case config::MonitorKind::Tcp:
      return std::make_unique<TcpProbe>(io, target.address, target.port,
                                        std::get<config::TcpParams>(config.params));
    case config::MonitorKind::Http:
      return std::make_unique<HttpProbe>(io, target.address, target.port,
                                         std::get<config::HttpParams>(config.params));
    case config::MonitorKind::Dns:
      return std::make_unique<DnsProbe>(io, target.address,
                                        std::get<config::DnsParams>(config.params));
    case config::MonitorKind::Udp:
      return std::make_unique<UdpProbe>(io, target.address, target.port, config);
    case config::MonitorKind::RunCommand:
      return std::make_unique<RunCommandProbe>(io, target, config.name,
                                               std::get<config::RunCommandParams>(config.params));
    case config::MonitorKind::Icmp:
      return std::make_unique<IcmpProbe>(io, target.address,
                                         std::get<config::IcmpParams>(config.params));
    case config::MonitorKind::IdleConnection:
      break;
  }
  return nullptr;
}

}  // namespace

std::unique_ptr<Monitor> makeMonitor(boost::asio::io_context& io,
                                     const config::MonitorConfig& config, Target target,
                                     Monitor::Listener listener) {
  // MonitorParams lists its alternatives in MonitorKind's order; the loader pairs them.
  if (config.params.index() != static_cast<std::size_t>(config.kind)) {
    log::get("monitor")->critical(
        "monitor parameters do not match the kind service={} server={} monitor={}", target.service,
        target.host, config.name);
    std::abort();
  }

  if (config.kind == config::MonitorKind::IdleConnection) {
    auto probe = std::make_unique<IdleConnectionProbe>(io, target.address, target.port, config);
    return std::make_unique<MonitorBase>(io, config, std::move(target), std::move(listener),
                                         std::move(probe));
  }
  auto probe = makeProbe(io, config, target);
  return std::make_unique<MonitorBase>(io, config, std::move(target), std::move(listener),
                                       std::move(probe));
}

}  // namespace vipd::monitor
