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
#include "monitor/monitor_plan.h"
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

std::unique_ptr<Probe> makeProbe(boost::asio::io_context& io,
                                 const std::shared_ptr<const MonitorPlan>& plan,
                                 const Target& target) {
  const config::MonitorConfig& config = plan->config;
  switch (config.kind) {
    case config::MonitorKind::Tcp:
      return std::make_unique<TcpProbe>(io, target.address, target.port,
                                        std::get<config::TcpParams>(config.params));
    case config::MonitorKind::Http:
      return std::make_unique<HttpProbe>(io, target.address, target.port, plan);
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

std::shared_ptr<const MonitorPlan> planMonitor(const config::MonitorConfig& config) {
  // MonitorParams lists its alternatives in MonitorKind's order; the loader pairs them.
  if (config.params.index() != static_cast<std::size_t>(config.kind)) {
    log::get("monitor")->critical("monitor parameters do not match the kind monitor={}",
                                  config.name);
    std::abort();
  }
  auto plan = std::make_shared<MonitorPlan>();
  plan->config = config;
  if (const auto* http = std::get_if<config::HttpParams>(&config.params)) {
    plan->http = makeHttpSettings(*http);
  }
  return plan;
}

std::unique_ptr<Monitor> makeMonitor(boost::asio::io_context& io,
                                     std::shared_ptr<const MonitorPlan> plan, Target target,
                                     Monitor::Listener listener) {
  if (plan->config.kind == config::MonitorKind::IdleConnection) {
    auto probe = std::make_unique<IdleConnectionProbe>(io, target.address, target.port, plan);
    return std::make_unique<MonitorBase>(std::move(plan), target, std::move(listener),
                                         std::move(probe));
  }
  auto probe = makeProbe(io, plan, target);
  return std::make_unique<MonitorBase>(io, std::move(plan), target, std::move(listener),
                                       std::move(probe));
}

std::unique_ptr<Monitor> makeMonitor(boost::asio::io_context& io,
                                     const config::MonitorConfig& config, Target target,
                                     Monitor::Listener listener) {
  return makeMonitor(io, planMonitor(config), target, std::move(listener));
}

}  // namespace vipd::monitor
