#include "vipd/service_runtime.h"

#include <malloc.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <set>
#include <utility>

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
// A server list change that adds or removes this many servers frees memory by the megabyte
// once it has settled (the parsed list, the pool's and IPVS's transient tables, a burst of
// first connections); glibc's malloc keeps what lies below the top of its heap unless told
// to give it back (malloc_trim). Settled: no such change for kTrimDelay, which also covers
// the IPVS push and reconcile that follow a change.
constexpr std::size_t kTrimAfterServers = 1000;
constexpr std::chrono::seconds kTrimDelay{2};

IpAddress::Family serviceFamily(const config::ServiceConfig& service) {
  if (service.vip) {
    return service.vip->family();
  }
  return service.fwmark_family.value_or(IpAddress::Family::V4);
}

}  // namespace

// Kept small, one per server (88 bytes): its host and port are the map key, and the fields
// are ordered so that no padding lies between them.
struct ServiceRuntime::Server {
  // A host name's resolution; none for a numeric address, which is known at once.
  std::unique_ptr<HostResolution> resolution;
  std::vector<std::unique_ptr<monitor::Monitor>> monitors;
  std::chrono::system_clock::time_point last_change{};
  std::optional<IpAddress> numeric_address;
  std::optional<ipvs::DestinationKey> destination;  // its entry in desired_, if it has one
  pool::Health health = pool::Health::Unknown;
  bool enabled = false;  // by the list, and not disabled by the operator
  // Its entry in the file:// list, when that is where it comes from (the list is not kept:
  // fileServers() gives it back from these): enabled there, and its weight.
  bool from_file = false;
  bool listed_enabled = false;
  std::uint32_t weight = 0;

  const std::optional<IpAddress>& address() const {
    return resolution ? resolution->address() : numeric_address;
  }
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
  desired_.service = ipvs_service_;
  desired_depool_action_ = config_.depool_action;

  for (const auto& monitor_config : config_.monitors) {
    monitor_plans_.push_back(monitor::planMonitor(monitor_config));
  }
}

ServiceRuntime::~ServiceRuntime() {
  stop();
}

struct ServiceRuntime::TrimTimer {
  explicit TrimTimer(boost::asio::io_context& io) : timer(io) {}
  boost::asio::steady_timer timer;
};

void ServiceRuntime::trimSoon() {
  if (!trim_timer_) {
    trim_timer_ = std::make_unique<TrimTimer>(io_);
  }
  trim_timer_->timer.expires_after(kTrimDelay);  // a later change delays the trim
  trim_timer_->timer.async_wait([this](const boost::system::error_code& error) {
    // Aborted (moved, or the runtime destroyed): `this` may be gone, touch nothing.
    if (error) {
      return;
    }
    ::malloc_trim(0);
    log::get("vipd")->debug("memory returned to the system after a server list change service={}",
                            config_.name);
  });
}

void ServiceRuntime::start() {
  if (!config_.server_list) {
    applyServerList({});
    return;
  }

  auto path = config::resolveServerListPath(config_.server_list->url, base_dir_);
  if (!path) {
    log::get("config")->error("server list unusable service={} url={} error=\"{}\"", config_.name,
                              config_.server_list->url, path.error());
    applyServerList({});
    return;
  }
  watcher_ = std::make_unique<config::ServerListWatcher>(
      io_, *path, kServerListPoll,
      [this](const std::vector<config::ServerConfig>& list) { applyServerList(list); },
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
          return s.second->enabled && s.second->health == pool::Health::Unknown;
        }));
    handle(pool_.endStartup());
  }
}

std::vector<ServiceRuntime::Wanted> ServiceRuntime::wantedServers(
    const std::vector<config::ServerConfig>& file_list) const {
  std::vector<Wanted> wanted;
  wanted.reserve(config_.servers.size() + file_list.size());
  const auto add = [&](const config::ServerConfig& entry, bool from_file) {
    pool::ServerId id{entry.host, entry.port.value_or(config_.port)};
    const bool enabled = entry.enabled && !operator_disabled_.contains(id);
    wanted.push_back({{std::move(id), entry.weight, enabled}, from_file, entry.enabled});
  };
  for (const auto& entry : config_.servers) {
    add(entry, false);
  }
  for (const auto& entry : file_list) {
    add(entry, true);
  }

  // In ServerId order; of the entries for one host and port the last wins, so that the file
  // list overrides inline servers. A sorted vector rather than a map: one allocation, not one
  // a server, for what lives only as long as this call.
  std::stable_sort(wanted.begin(), wanted.end(),
                   [](const Wanted& a, const Wanted& b) { return a.spec.id < b.spec.id; });
  auto last = wanted.begin();
  for (auto it = wanted.begin(); it != wanted.end(); ++it) {
    const auto next = std::next(it);
    if (next == wanted.end() || next->spec.id != it->spec.id) {
      if (last != it) {
        *last = std::move(*it);
      }
      ++last;
    }
  }
  wanted.erase(last, wanted.end());
  return wanted;
}

std::size_t ServiceRuntime::removeUnlisted(const std::vector<Wanted>& wanted) {
  std::size_t removed = 0;
  for (auto it = servers_.begin(); it != servers_.end();) {
    const auto listed = std::lower_bound(
        wanted.begin(), wanted.end(), it->first,
        [](const Wanted& entry, const pool::ServerId& id) { return entry.spec.id < id; });
    if (listed != wanted.end() && listed->spec.id == it->first) {
      ++it;
      continue;
    }
    for (auto& monitor : it->second->monitors) {
      monitor->stop();
    }
    forgetDestination(*it->second);
    it = servers_.erase(it);
    ++removed;
  }
  return removed;
}

void ServiceRuntime::applyServerList(const std::vector<config::ServerConfig>& file_list) {
  listed_ = true;
  std::vector<Wanted> wanted = wantedServers(file_list);
  const std::size_t removed = removeUnlisted(wanted);

  std::vector<std::size_t> added;  // indices into `wanted`
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    const Wanted& entry = wanted[i];
    Server* server = nullptr;
    if (const auto existing = servers_.find(entry.spec.id); existing != servers_.end()) {
      server = existing->second.get();
      updateEnabled(existing->first, *server, entry.spec.enabled);
    } else {
      server = &addServer(entry.spec);
      added.push_back(i);
    }
    server->from_file = entry.from_file;
    server->listed_enabled = entry.listed_enabled;
    server->weight = entry.spec.weight;
  }

  std::vector<pool::ServerSpec> specs;
  specs.reserve(wanted.size());
  for (Wanted& entry : wanted) {
    specs.push_back(std::move(entry.spec));
  }
  handle(pool_.setServers(specs));

  // A numeric host's address is known at once (a name's comes later, to onAddress): its
  // destination follows the pool's entry, and one change covers the whole list.
  bool known = false;
  for (const std::size_t i : added) {
    const auto it = servers_.find(specs[i].id);
    if (it != servers_.end() && it->second->numeric_address) {
      updateDestination(it->first, *it->second);
      known = true;
    }
  }
  if (known && hooks_.on_change) {
    hooks_.on_change();
  }
  if (added.size() + removed >= kTrimAfterServers) {
    trimSoon();
  }
}

void ServiceRuntime::updateEnabled(const pool::ServerId& id, Server& server, bool enabled) {
  const bool enabling = enabled && !server.enabled;
  server.enabled = enabled;
  if (enabling && server.address()) {
    startMonitors(id, server);
  } else if (!enabled) {
    server.monitors.clear();
    server.health = pool::Health::Unknown;
  }
}

ServiceRuntime::Server& ServiceRuntime::addServer(const pool::ServerSpec& spec) {
  auto owned = std::make_unique<Server>();
  owned->enabled = spec.enabled;
  if (const auto numeric = HostResolution::numericAddress(spec.id.host, serviceFamily(config_))) {
    const auto it = servers_.emplace(spec.id, std::move(owned)).first;
    useNumericAddress(it->first, *it->second, *numeric);
    return *it->second;
  }
  owned->resolution = std::make_unique<HostResolution>(
      io_, spec.id.host, serviceFamily(config_), kReresolveInterval,
      [this, id = spec.id](const IpAddress& address) { onAddress(id, address); });
  Server& server = *servers_.emplace(spec.id, std::move(owned)).first->second;
  server.resolution->start();
  return server;
}

void ServiceRuntime::useNumericAddress(const pool::ServerId& id, Server& server,
                                       const std::expected<IpAddress, std::string>& address) {
  if (!address) {
    log::get("vipd")->warn("server address unusable service={} server={} error=\"{}\"",
                           config_.name, id.toString(), address.error());
    return;
  }
  server.numeric_address = *address;
  if (server.enabled) {
    startMonitors(id, server);
  }
}

void ServiceRuntime::onAddress(const pool::ServerId& id, const IpAddress& address) {
  const auto it = servers_.find(id);
  if (it == servers_.end()) {
    return;
  }
  log::get("vipd")->debug("server address known service={} server={} address={}", config_.name,
                          id.toString(), address.toString());
  if (it->second->enabled) {
    startMonitors(it->first, *it->second);
  }
  updateDestination(it->first, *it->second);
  if (hooks_.on_change) {
    hooks_.on_change();
  }
}

void ServiceRuntime::startMonitors(const pool::ServerId& id, Server& server) {
  server.monitors.clear();
  const monitor::Target target{config_.name, id.host, *server.address(), id.port};
  for (const auto& plan : monitor_plans_) {
    // The key lives as long as the server's monitors, and keeps the listener small.
    server.monitors.push_back(
        monitor::makeMonitor(io_, plan, target,
                             [this, key = &id](monitor::Monitor&, monitor::Verdict,
                                               monitor::Verdict) { onVerdict(*key); }));
  }
  if (server.monitors.empty()) {
    // No monitor: the server counts as up as soon as its address is known.
    io_.get_executor().execute([this, id_copy = id] { onVerdict(id_copy); });
  }
  for (auto& monitor : server.monitors) {
    monitor->start();
  }
}

pool::Health ServiceRuntime::combinedHealth(const Server& server) const {
  if (server.monitors.empty()) {
    return server.address() ? pool::Health::Up : pool::Health::Unknown;
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
  server.last_change = std::chrono::system_clock::now();
  handle(pool_.setHealth(id, health));
}

void ServiceRuntime::handle(const std::vector<pool::Decision>& decisions) {
  const auto now = std::chrono::system_clock::now();
  for (const auto& decision : decisions) {
    logDecision(decision);
    if (const auto it = servers_.find(decision.server); it != servers_.end()) {
      it->second->last_change = now;
    }
  }

  // The first decisions cover every server: one pass instead of one lookup each.
  if (!started_reported_ && !pool_.starting()) {
    rebuildDesired();
  } else {
    for (const auto& decision : decisions) {
      const auto it = servers_.find(decision.server);
      if (it != servers_.end()) {
        updateDestination(it->first, *it->second);
      } else if (shared_destination_) {
        // Gone: a server that shared its destination may now have it to itself.
        rebuildDesired();
      }
    }
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

ServiceRuntime::DesiredChanges ServiceRuntime::takeDesiredChanges() {
  followServiceFields();
  return std::exchange(desired_changes_, {});
}

void ServiceRuntime::updateDestination(const pool::ServerId& id, Server& server) {
  if (shared_destination_) {
    rebuildDesired();
    return;
  }
  std::optional<ipvs::Destination> next;
  const auto state = pool_.servers().find(id);
  if (!pool_.starting() && state != pool_.servers().end() && server.address()) {
    next = toIpvsDestination(config_, *server.address(), id.port, state->second.spec.weight,
                             state->second.pooled);
  }
  if (server.destination && (!next || next->key != *server.destination)) {
    forgetDestination(server);
  }
  if (!next) {
    return;
  }

  const auto [it, inserted] = desired_.destinations.try_emplace(next->key, *next);
  if (!inserted && !server.destination) {
    // Another server's address and port: who wins is decided over the whole list.
    rebuildDesired();
    return;
  }
  if (!inserted) {
    if (it->second == *next) {
      return;
    }
    it->second = *next;
  }
  server.destination = next->key;
  desired_changes_.destinations.push_back(next->key);
}

void ServiceRuntime::forgetDestination(Server& server) {
  if (!server.destination) {
    return;
  }
  desired_.destinations.erase(*server.destination);
  desired_changes_.destinations.push_back(*server.destination);
  server.destination.reset();
}

void ServiceRuntime::rebuildDesired() {
  const bool was_shared = shared_destination_;
  desired_.service = ipvs_service_;
  desired_.destinations.clear();
  desired_depool_action_ = config_.depool_action;
  desired_changes_ = {.whole = true, .destinations = {}};
  shared_destination_ = false;
  for (auto& [id, server] : servers_) {
    server->destination.reset();
  }
  if (pool_.starting()) {
    return;
  }

  // In ServerId order, so that of servers sharing an address and port the first wins.
  for (const auto& [id, state] : pool_.servers()) {
    const auto it = servers_.find(id);
    if (it == servers_.end() || !it->second->address()) {
      continue;
    }
    const auto destination = toIpvsDestination(config_, *it->second->address(), id.port,
                                               state.spec.weight, state.pooled);
    if (!destination) {
      continue;
    }
    if (desired_.destinations.emplace(destination->key, *destination).second) {
      it->second->destination = destination->key;
      continue;
    }
    if (!was_shared && !shared_destination_) {
      log::get("vipd")->warn(
          "servers share an address and port, only the first is programmed service={} "
          "server={} address={}",
          config_.name, id.toString(), it->second->address()->withPort(id.port));
    }
    shared_destination_ = true;
  }
}

// A reload may change the service's fields or what depooling does; both change the entry
// as a whole.
void ServiceRuntime::followServiceFields() {
  if (desired_.service != ipvs_service_ || desired_depool_action_ != config_.depool_action) {
    rebuildDesired();
  }
}

std::vector<config::ServerConfig> ServiceRuntime::fileServers() const {
  std::vector<config::ServerConfig> list;
  for (const auto& [id, server] : servers_) {
    if (server->from_file) {
      list.push_back({id.host, id.port, server->weight, server->listed_enabled});
    }
  }
  return list;
}

std::optional<ServiceRuntime::ServerDetail> ServiceRuntime::serverDetail(
    const pool::ServerId& id) const {
  const auto it = servers_.find(id);
  if (it == servers_.end()) {
    return std::nullopt;
  }
  ServerDetail detail{
      it->second->address(), {}, it->second->last_change, operator_disabled_.contains(id)};
  for (const auto& monitor : it->second->monitors) {
    detail.monitors.push_back(monitor.get());
  }
  return detail;
}

void ServiceRuntime::setOperatorDisabled(const pool::ServerId& id, bool disabled) {
  if (disabled == operator_disabled_.contains(id)) {
    return;
  }
  if (disabled) {
    operator_disabled_.insert(id);
  } else {
    operator_disabled_.erase(id);
  }
  if (listed_) {
    applyServerList(fileServers());
  }
}

void ServiceRuntime::reconfigure(const config::ServiceConfig& next) {
  // The name and the monitors stay as they are: monitors view the name and use the plans.
  config_.scheduler = next.scheduler;
  config_.scheduler_flags = next.scheduler_flags;
  config_.one_packet = next.one_packet;
  config_.persistence_timeout = next.persistence_timeout;
  config_.persistence_netmask = next.persistence_netmask;
  config_.depool_action = next.depool_action;
  config_.announce = next.announce;
  if (auto service = toIpvsService(config_)) {
    ipvs_service_ = std::move(*service);
  } else {
    log::get("vipd")->error("service parameters not applied service={} error=\"{}\"", config_.name,
                            service.error());
  }

  if (config_.depool_threshold != next.depool_threshold) {
    config_.depool_threshold = next.depool_threshold;
    handle(pool_.setDepoolThreshold(next.depool_threshold));
  }
  if (config_.servers != next.servers) {
    config_.servers = next.servers;
    applyServerList(fileServers());
  }
  if (hooks_.on_change) {
    hooks_.on_change();
  }
}

}  // namespace vipd
