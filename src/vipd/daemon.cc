#include "vipd/daemon.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "bgp/bgp_service.h"
#include "common/log.h"
#include "ipvs/dry_run_backend.h"
#include "ipvs/netlink_backend.h"
#include "ipvs/ownership_store.h"
#include "ipvs/synchronizer.h"
#include "ipvs/timeouts_applier.h"
#include "vipd/bgp_settings.h"
#include "vipd/service_runtime.h"

namespace vipd {

namespace asio = boost::asio;

namespace {

// Long enough for every server's first verdict: the first check runs at once, and a
// verdict needs rise (or fall) results, each up to an interval (with jitter) apart.
std::chrono::milliseconds startupGrace(const config::Config& config) {
  std::chrono::duration<double> longest{0};
  for (const auto& service : config.services) {
    for (const auto& monitor : service.monitors) {
      const auto results = std::max(monitor.rise, monitor.fall);
      const auto spacing = monitor.interval * (1.0 + monitor.jitter);
      longest = std::max(longest, spacing * (results - 1) + monitor.timeout);
    }
  }
  // Two more seconds for name resolution and the first connection set-up.
  return std::chrono::duration_cast<std::chrono::milliseconds>(longest) + std::chrono::seconds(2);
}

// Keys vipd accepts and keeps but whose features are not built yet; said once at start.
void noteFeaturesNotActedOn(const config::Config& config) {
  const auto logger = log::get("vipd");
  if (config.global.instrumentation.enabled) {
    logger->warn(
        "instrumentation is configured but vipd has no HTTP instrumentation yet; "
        "the settings are kept and ignored");
  }
}

// PyBal took the BGP identifier from the session's local IPv4 address; vipd needs one
// before any session, so it takes the host's first IPv4 address that is not loopback.
std::optional<std::uint32_t> hostRouterId() {
  ifaddrs* interfaces = nullptr;
  if (getifaddrs(&interfaces) != 0) {
    return std::nullopt;
  }
  std::optional<std::uint32_t> id;
  for (const ifaddrs* entry = interfaces; entry != nullptr && !id; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != AF_INET) {
      continue;
    }
    sockaddr_in address{};
    std::memcpy(&address, entry->ifa_addr, sizeof address);
    const std::uint32_t host_order = ntohl(address.sin_addr.s_addr);
    if ((host_order >> 24) != 127) {
      id = host_order;
    }
  }
  freeifaddrs(interfaces);
  return id;
}

// SIGUSR1 drains (GRACEFUL_SHUTDOWN, then withdrawal), SIGUSR2 undrains.
void drainSignal(bgp::BgpService* bgp, bool drain) {
  if (!bgp) {
    log::get("bgp")->warn("drain signal ignored: bgp is not enabled");
    return;
  }
  log::get("bgp")->info("{} requested by signal", drain ? "drain" : "undrain");
  if (drain) {
    bgp->drain();
  } else {
    bgp->undrain();
  }
}

}  // namespace

struct Daemon::Impl {
  Impl(Options opts, config::Loaded in)
      : options(std::move(opts)),
        loaded(std::move(in)),
        grace_timer(io),
        signals(io, SIGINT, SIGTERM, SIGHUP) {
    signals.add(SIGUSR1);
    signals.add(SIGUSR2);
  }

  int run();
  bool makeBackend();
  bool makeBgp();
  void updateBgpHealth();
  void stop(int signal);
  void loadOwnership();
  void updateOwnership();
  void startServices();
  void onStartupEnded();
  void endStartupGrace();
  void markChanged();
  void pushDesired();
  void waitForSignal();

  Options options;
  config::Loaded loaded;
  // One thread runs every handler, and nothing else touches a socket: the reactor's I/O
  // locks can go. The scheduler's lock stays, for Asio's resolver thread posts completions.
  asio::io_context io{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  asio::steady_timer grace_timer;
  asio::signal_set signals;
  std::unique_ptr<ipvs::Backend> backend;
  std::unique_ptr<ipvs::Synchronizer> synchronizer;
  std::optional<ipvs::OwnershipStore> ownership_store;  // none with --dry-run
  std::set<ipvs::ServiceKey> owned;                     // canonical keys
  std::vector<std::unique_ptr<ServiceRuntime>> services;
  std::unique_ptr<bgp::BgpService> bgp;               // none unless bgp is enabled
  std::map<std::string, std::string> vip_of_service;  // announcing services only
  bool stopping = false;
  bool programming = false;  // start-up is over and IPVS follows the pools
  bool push_posted = false;
};

int Daemon::Impl::run() {
  const auto logger = log::get("vipd");
  if (!makeBackend() || !makeBgp()) {
    return 1;
  }
  noteFeaturesNotActedOn(loaded.config);
  logger->info("vipd starting config={} services={} ipvs={}", loaded.config.source_file,
               loaded.config.services.size(), backend->name());

  startServices();
  waitForSignal();
  io.run();

  // Nothing is flushed: the kernel keeps forwarding, and the next start adopts the table.
  for (auto& service : services) {
    service->stop();
  }
  const auto& counters = synchronizer->counters();
  logger->info(
      "vipd stopped; IPVS entries are left in place for the next start operations_applied={} "
      "operations_failed={} repairs={}",
      counters.operations_applied, counters.operations_failed, counters.repairs);
  return 0;
}

// The netlink backend checks the kernel first: without IPVS or CAP_NET_ADMIN vipd says
// which is missing, in words an operator can act on, and exits.
bool Daemon::Impl::makeBackend() {
  if (options.dry_run) {
    backend = std::make_unique<ipvs::DryRunBackend>(io);
  } else {
    auto netlink = ipvs::NetlinkBackend::open(io);
    if (!netlink) {
      log::get("ipvs")->error("{}", netlink.error());
      return false;
    }
    backend = std::move(*netlink);
  }
  // Queued ahead of the first reconcile; a refusal is logged and vipd goes on.
  if (const auto& timeouts = loaded.config.global.ipvs.timeouts; timeouts.any()) {
    ipvs::applyTimeouts(*backend, {timeouts.tcp.value_or(0), timeouts.tcp_fin.value_or(0),
                                   timeouts.udp.value_or(0)});
  }

  ipvs::Synchronizer::Options sync_options;
  sync_options.redump_interval = loaded.config.global.ipvs.redump_interval;
  synchronizer = std::make_unique<ipvs::Synchronizer>(io, *backend, sync_options);
  synchronizer->onProgrammedChanged([this](const ipvs::ServiceKey&, bool) {
    updateOwnership();
    updateBgpHealth();
  });
  synchronizer->onFirstReconcileDone([this] {
    log::get("ipvs")->info("ipvs table in step backend={} operations_applied={} owned={}",
                           backend->name(), synchronizer->counters().operations_applied,
                           owned.size());
    updateOwnership();
    // Every service has its first verdicts (programming began only then) and IPVS has
    // been reconciled once: the speaker may now announce what is healthy.
    if (bgp) {
      updateBgpHealth();
      bgp->startupDone();
    }
  });
  if (!options.dry_run) {
    loadOwnership();
  }
  return true;
}

// A dry run starts from an empty table of its own: it neither reads nor writes the state.
// A state file that cannot be read costs only the services that left the configuration
// while vipd was down: they stay in the kernel, and vipd says so.
void Daemon::Impl::loadOwnership() {
  const auto logger = log::get("ipvs");
  const std::string& path = loaded.config.global.state_file;
  ownership_store.emplace(path);
  auto loaded_owned = ownership_store->load();
  if (!loaded_owned) {
    logger->error(
        "ipvs state file unreadable, starting with no owned service; services removed from "
        "the configuration while vipd was down stay in the kernel path={} error=\"{}\"",
        path, loaded_owned.error());
  } else {
    owned = std::move(*loaded_owned);
    logger->info("ipvs owned services loaded path={} services={}", path, owned.size());
  }
  synchronizer->setOwned(owned);
}

// Owned: the services vipd has programmed (desired, and in the kernel), and those it owned
// before that the kernel still holds. A desired service that drift removed stays owned.
void Daemon::Impl::updateOwnership() {
  if (!ownership_store || !synchronizer->firstReconcileDone()) {
    return;
  }
  std::set<ipvs::ServiceKey> in_kernel;
  for (const auto& [key, entry] : synchronizer->current().services) {
    in_kernel.insert(ipvs::canonical(key));
  }
  std::set<ipvs::ServiceKey> next;
  for (const auto& [key, entry] : synchronizer->desired().services) {
    const auto service = ipvs::canonical(key);
    if (in_kernel.contains(service) || owned.contains(service)) {
      next.insert(service);
    }
  }
  for (const auto& service : owned) {
    if (in_kernel.contains(service)) {
      next.insert(service);
    }
  }
  if (next == owned) {
    return;
  }

  owned = std::move(next);
  synchronizer->setOwned(owned);
  const auto logger = log::get("ipvs");
  const std::string& path = loaded.config.global.state_file;
  if (auto saved = ownership_store->save(owned); !saved) {
    logger->error("ipvs state file not written path={} error=\"{}\"", path, saved.error());
    return;
  }
  logger->info("ipvs owned services saved path={} services={}", path, owned.size());
}

void Daemon::Impl::startServices() {
  const auto base_dir = std::filesystem::path(loaded.config.source_file).parent_path();
  for (const auto& service_config : loaded.config.services) {
    ServiceRuntime::Hooks hooks;
    hooks.on_change = [this] { markChanged(); };
    hooks.on_startup_ended = [this] { onStartupEnded(); };
    services.push_back(std::make_unique<ServiceRuntime>(io, service_config, base_dir, hooks));
  }
  for (auto& service : services) {
    service->start();
  }

  grace_timer.expires_after(startupGrace(loaded.config));
  grace_timer.async_wait([this](const boost::system::error_code& error) {
    if (!error) {
      endStartupGrace();
    }
  });
  onStartupEnded();  // a configuration whose services all start at once
}

void Daemon::Impl::onStartupEnded() {
  if (programming) {
    return;
  }
  for (const auto& service : services) {
    if (service->pool().starting()) {
      return;
    }
  }
  programming = true;
  grace_timer.cancel();
  log::get("vipd")->info("start-up over, programming IPVS services={}", services.size());
  markChanged();
}

void Daemon::Impl::endStartupGrace() {
  for (auto& service : services) {
    service->endStartup();
  }
  onStartupEnded();
}

// Pool decisions come in bursts (a server list edit, many monitors at once); the desired
// table is rebuilt once per loop turn.
void Daemon::Impl::markChanged() {
  if (!programming || push_posted) {
    return;
  }
  push_posted = true;
  asio::post(io, [this] {
    push_posted = false;
    pushDesired();
  });
}

void Daemon::Impl::pushDesired() {
  ipvs::Table desired;
  for (const auto& service : services) {
    auto entry = service->desired();
    desired.services.emplace(entry.service.key, std::move(entry));
  }
  synchronizer->setDesired(std::move(desired));
  updateBgpHealth();
}

bool Daemon::Impl::makeBgp() {
  const auto& config = loaded.config;
  if (!config.global.bgp.enabled) {
    return true;
  }
  auto settings = speakerSettings(config);
  if (!settings.router_id) {
    settings.router_id = hostRouterId();
  }
  if (!settings.router_id) {
    log::get("bgp")->error(
        "bgp needs a router id: set bgp router-id, or give this host an IPv4 address");
    return false;
  }
  vip_of_service = vipOfService(config);
  bgp = std::make_unique<bgp::BgpService>(io, std::move(settings), vipPolicies(config),
                                          globalAttributes(config));
  if (auto started = bgp->start(); !started) {
    log::get("bgp")->error("bgp cannot start error=\"{}\"", started.error());
    return false;
  }
  return true;
}

// The speaker judges each VIP from its services' numbers; it knows nothing of servers.
void Daemon::Impl::updateBgpHealth() {
  if (!bgp || !programming) {
    return;
  }
  std::map<std::string, bgp::VipHealth> vips;
  for (const auto& service : services) {
    const auto vip = vip_of_service.find(service->config().name);
    if (vip == vip_of_service.end()) {
      continue;
    }
    const auto& pool = service->pool();
    vips[vip->second].services.push_back({service->config().name,
                                          static_cast<std::uint32_t>(pool.total()),
                                          static_cast<std::uint32_t>(pool.upAndEnabled()),
                                          synchronizer->programmed(service->ipvsKey())});
  }
  for (const auto& [vip, health] : vips) {
    bgp->setHealth(vip, health);
  }
}

// The IPVS table stays as it is. The speaker withdraws (or, with graceful restart, keeps)
// the routes and closes its sessions; the loop stops once that is written.
void Daemon::Impl::stop(int signal) {
  if (stopping) {
    return;
  }
  stopping = true;
  log::get("vipd")->info("stopping signal={}", signal == SIGTERM ? "SIGTERM" : "SIGINT");
  if (!bgp) {
    io.stop();
    return;
  }
  bgp->stop([this] { io.stop(); });
}

void Daemon::Impl::waitForSignal() {
  signals.async_wait([this](const boost::system::error_code& error, int signal) {
    if (error) {
      return;
    }
    if (signal == SIGHUP) {
      // TODO: reload on SIGHUP arrives with `vipc configure`; server lists already
      // apply live, other changes need a restart until then.
      log::get("vipd")->warn(
          "SIGHUP received; configuration reload is not supported yet, "
          "restart vipd to apply changes beyond server lists");
      waitForSignal();
      return;
    }
    if (signal == SIGUSR1 || signal == SIGUSR2) {
      drainSignal(bgp.get(), signal == SIGUSR1);
      waitForSignal();
      return;
    }
    stop(signal);
  });
}

Daemon::Daemon(Options options, config::Loaded loaded)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(loaded))) {}

Daemon::~Daemon() = default;

int Daemon::run() {
  return impl_->run();
}

}  // namespace vipd
