#include "vipd/service_runtime.h"

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <set>

#include "common/log.h"
#include "config/server_list.h"
#include "config/server_list_watcher.h"
#include "monitor/monitor.h"
#include "vipd/host_resolution.h"
#include "vipd/ipvs_mapping.h"

namespace vipd {

namespace {

// PyBal re-reads server lists every second; vipd does the same, cheaply (a stat per poll).
constexpr std::chrono::milliseconds kServerListPoll{1000};
// TODO: make the re-resolution interval configurable; until then a host name's change of
// address takes up to five minutes to reach IPVS.
constexpr std::chrono::seconds kReresolveInterval{300};

IpAddress::Family serviceFamily(const config::ServiceConfig& service) {
  if (service.vip) {
    return service.vip->family();
  }
  return service.fwmark_family.value_or(IpAddress::Family::V4);
}

}  // namespace

struct ServiceRuntime::Server {
  pool::ServerSpec spec;
  std::unique_ptr<HostResolution> resolution;
  std::vector<std::unique_ptr<monitor::Monitor>> monitors;
  pool::Health health = pool::Health::Unknown;
};

ServiceRuntime::ServiceRuntime(boost::asio::io_context& io, config::ServiceConfig config,
                               std::filesystem::path base_dir, Hooks hooks)
    : io_(io),
      config_(std::move(config)),
      base_dir_(std::move(base_dir)),
      hooks_(std::move(hooks)),
      pool_(config_.name, config_.depool_threshold) {
  // The loaders validated the service, so a failure here is a broken invariant.
  auto service = toIpvsService(config_);
  if (!service) {
    log::get("vipd")->critical("service cannot be programmed service={} error=\"{}\"", config_.name,
                               service.error());
    std::abort();
  }
  ipvs_service_ = std::move(*service);
}

ServiceRuntime::~ServiceRuntime() {
  stop();
}

void ServiceRuntime::start() {
  if (!config_.server_list) {
    applyServerList(config_.servers);
    return;
  }

  auto path = config::resolveServerListPath(config_.server_list->url, base_dir_);
  if (!path) {
    log::get("config")->error("server list unusable service={} url={} error=\"{}\"", config_.name,
                              config_.server_list->url, path.error());
    applyServerList(config_.servers);
    return;
  }
  watcher_ = std::make_unique<config::ServerListWatcher>(
      io_, *path, kServerListPoll,
      [this](const std::vector<config::ServerConfig>& list) {
        auto all = config_.servers;
        all.insert(all.end(), list.begin(), list.end());
        applyServerList(all);
      },
      [this](const config::Diagnostics& errors) {
        for (const auto& error : errors) {
          log::get("config")->error(
              "server list rejected, keeping the last good one "
              "service={} error=\"{}\"",
              config_.name, error.format());
        }
      });
  watcher_->start();
}

void ServiceRuntime::stop() {
  if (watcher_) {
    watcher_->stop();
  }
  for (auto& [id, server] : servers_) {
    for (auto& monitor : server->monitors) {
      monitor->stop();
    }
  }
}

void ServiceRuntime::endStartup() {
  if (pool_.starting()) {
    log::get("pool")->warn(
        "start-up grace over, servers without a verdict count as down "
        "service={} unknown={}",
        config_.name, std::count_if(servers_.begin(), servers_.end(), [](const auto& s) {
          return s.second->spec.enabled && s.second->health == pool::Health::Unknown;
        }));
    handle(pool_.endStartup());
  }
}

void ServiceRuntime::applyServerList(const std::vector<config::ServerConfig>& list) {
  // Later entries for the same host and port win, so a list overrides inline servers.
  std::map<pool::ServerId, pool::ServerSpec> wanted;
  for (const auto& entry : list) {
    pool::ServerSpec spec{
        {entry.host, entry.port.value_or(config_.port)}, entry.weight, entry.enabled};
    wanted[spec.id] = spec;
  }

  for (auto it = servers_.begin(); it != servers_.end();) {
    if (wanted.contains(it->first)) {
      ++it;
      continue;
    }
    for (auto& monitor : it->second->monitors) {
      monitor->stop();
    }
    it = servers_.erase(it);
  }

  std::vector<pool::ServerSpec> specs;
  for (const auto& [id, spec] : wanted) {
    specs.push_back(spec);
    auto existing = servers_.find(id);
    if (existing == servers_.end()) {
      addServer(spec);
      continue;
    }
    Server& server = *existing->second;
    const bool enabling = spec.enabled && !server.spec.enabled;
    server.spec = spec;
    if (enabling && server.resolution->address()) {
      startMonitors(server);
    } else if (!spec.enabled) {
      server.monitors.clear();
      server.health = pool::Health::Unknown;
    }
  }

  handle(pool_.setServers(specs));
}

void ServiceRuntime::addServer(const pool::ServerSpec& spec) {
  auto server = std::make_unique<Server>();
  server->spec = spec;
  server->resolution = std::make_unique<HostResolution>(
      io_, spec.id.host, serviceFamily(config_), kReresolveInterval,
      [this, id = spec.id](const IpAddress& address) { onAddress(id, address); });
  auto& resolution = *server->resolution;
  servers_.emplace(spec.id, std::move(server));
  resolution.start();
}

void ServiceRuntime::onAddress(const pool::ServerId& id, const IpAddress& address) {
  const auto it = servers_.find(id);
  if (it == servers_.end()) {
    return;
  }
  log::get("vipd")->debug("server address known service={} server={} address={}", config_.name,
                          id.toString(), address.toString());
  if (it->second->spec.enabled) {
    startMonitors(*it->second);
  }
  if (hooks_.on_change) {
    hooks_.on_change();
  }
}

void ServiceRuntime::startMonitors(Server& server) {
  server.monitors.clear();
  const monitor::Target target{config_.name, server.spec.id.host, *server.resolution->address(),
                               server.spec.id.port};
  for (const auto& monitor_config : config_.monitors) {
    server.monitors.push_back(
        monitor::makeMonitor(io_, monitor_config, target,
                             [this, id = server.spec.id](monitor::Monitor&, monitor::Verdict,
                                                         monitor::Verdict) { onVerdict(id); }));
  }
  if (server.monitors.empty()) {
    // No monitor: the server counts as up as soon as its address is known.
    io_.get_executor().execute([this, id = server.spec.id] { onVerdict(id); });
  }
  for (auto& monitor : server.monitors) {
    monitor->start();
  }
}

pool::Health ServiceRuntime::combinedHealth(const Server& server) const {
  if (server.monitors.empty()) {
    return server.resolution->address() ? pool::Health::Up : pool::Health::Unknown;
  }
  bool all_up = true;
  for (const auto& monitor : server.monitors) {
    if (monitor->verdict() == monitor::Verdict::Down) {
      return pool::Health::Down;
    }
    all_up = all_up && monitor->verdict() == monitor::Verdict::Up;
  }
  return all_up ? pool::Health::Up : pool::Health::Unknown;
}

void ServiceRuntime::onVerdict(const pool::ServerId& id) {
  const auto it = servers_.find(id);
  if (it == servers_.end()) {
    return;
  }
  Server& server = *it->second;
  const auto health = combinedHealth(server);
  if (health == server.health || health == pool::Health::Unknown) {
    return;
  }
  server.health = health;
  handle(pool_.setHealth(id, health));
}

void ServiceRuntime::handle(const std::vector<pool::Decision>& decisions) {
  for (const auto& decision : decisions) {
    logDecision(decision);
  }
  const bool was_starting = !started_reported_;
  if (was_starting && !pool_.starting()) {
    started_reported_ = true;
    log::get("pool")->info("service started service={} servers={} up={} pooled={}", config_.name,
                           pool_.total(), pool_.upAndEnabled(), pool_.pooledCount());
    if (hooks_.on_startup_ended) {
      hooks_.on_startup_ended();
    }
  }
  if (!decisions.empty() && hooks_.on_change) {
    hooks_.on_change();
  }
}

void ServiceRuntime::logDecision(const pool::Decision& decision) const {
  const auto logger = log::get("pool");
  const auto reason = pool::reasonName(decision.reason);
  if (decision.reason == pool::Reason::ThresholdKeeps) {
    logger->error(
        "server down but kept pooled by the depool threshold service={} server={} "
        "reason={} up={} total={} threshold={}",
        config_.name, decision.server.toString(), reason, pool_.upAndEnabled(), pool_.total(),
        pool_.depoolThreshold());
    return;
  }
  logger->info("server {} service={} server={} weight={} reason={} up={} pooled={} total={}",
               decision.pooled ? "pooled" : "depooled", config_.name, decision.server.toString(),
               decision.weight, reason, pool_.upAndEnabled(), pool_.pooledCount(), pool_.total());
}

ipvs::ServiceEntry ServiceRuntime::desired() const {
  ipvs::ServiceEntry entry;
  entry.service = ipvs_service_;
  if (pool_.starting()) {
    return entry;
  }
  for (const auto& [id, state] : pool_.servers()) {
    const auto it = servers_.find(id);
    if (it == servers_.end() || !it->second->resolution->address()) {
      continue;
    }
    const auto destination = toIpvsDestination(config_, *it->second->resolution->address(), id.port,
                                               state.spec.weight, state.pooled);
    if (destination) {
      entry.destinations.emplace(destination->key, *destination);
    }
  }
  return entry;
}

}  // namespace vipd
