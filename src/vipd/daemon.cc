#include "vipd/daemon.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "bgp/bgp_service.h"
#include "common/log.h"
#include "control/control_server.h"
#include "control/http_server.h"
#include "ipvs/dry_run_backend.h"
#include "ipvs/netlink_backend.h"
#include "ipvs/synchronizer.h"
#include "ipvs/timeouts_applier.h"
#include "monitor/monitor.h"
#include "vipd/bgp_settings.h"
#include "vipd/configuration_file.h"
#include "vipd/daemon_control.h"
#include "vipd/reload_plan.h"
#include "vipd/service_runtime.h"
#include "vipd/state_file.h"

namespace vipd {

namespace asio = boost::asio;

namespace {

// Long enough for every server's first verdict: the first check starts within
// monitor::kFirstCheckSpread, and a verdict needs rise (or fall) results, each up to an
// interval (with jitter) apart.
std::chrono::milliseconds startupGrace(const config::Config& config) {
  constexpr std::chrono::duration<double> first_check_spread = monitor::kFirstCheckSpread;
  std::chrono::duration<double> longest{0};
  for (const auto& service : config.services) {
    for (const auto& monitor : service.monitors) {
      const auto results = std::max(monitor.rise, monitor.fall);
      const auto spacing = monitor.interval * (1.0 + monitor.jitter);
      longest = std::max(longest, first_check_spread + spacing * (results - 1) + monitor.timeout);
    }
  }
  // Two more seconds for name resolution and the first connection set-up.
  return std::chrono::duration_cast<std::chrono::milliseconds>(longest) + std::chrono::seconds(2);
}

// How often the kernel's IPVS counters are read for `vipc show ipvs stats` and /metrics;
// the kernel's own rate estimator runs every two seconds.
constexpr std::chrono::seconds kKernelFiguresInterval{5};

control::HttpServer::Options httpOptions(const config::Instrumentation& instrumentation) {
  control::HttpServer::Options options;
  options.default_addresses = instrumentation.addresses.empty();
  if (!instrumentation.addresses.empty()) {
    options.addresses.clear();
    for (const auto& address : instrumentation.addresses) {
      options.addresses.push_back(address.toString());
    }
  }
  options.port = instrumentation.port;
  return options;
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
        signals(io, SIGINT, SIGTERM, SIGHUP),
        reload_grace_timer(io),
        kernel_figures_timer(io) {
    signals.add(SIGUSR1);
    signals.add(SIGUSR2);
  }

  int run();
  bool makeBackend();
  bool makeBgp();
  void updateBgpHealth();
  bool makeControl();
  void stop(std::string_view cause);
  void loadState();
  void saveState();
  void updateOwnership();
  void refreshKernelFigures();
  std::unique_ptr<ServiceRuntime> makeService(const config::ServiceConfig& service_config,
                                              const std::filesystem::path& base_dir);
  void startServices();
  control::CommandResult reload(const std::string& file);
  void applyReload(const ReloadPlan& plan);
  void onStartupEnded();
  void endStartupGrace();
  void markChanged();
  void pushDesired();
  void pushChanges(ServiceRuntime& service);
  void waitForSignal();

  Options options;
  config::Loaded loaded;
  // One thread runs every handler, and nothing else touches a socket: the reactor's I/O
  // locks can go. The scheduler's lock stays, for Asio's resolver thread posts completions.
  asio::io_context io{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  asio::steady_timer grace_timer;
  asio::signal_set signals;
  asio::steady_timer reload_grace_timer;
  asio::steady_timer kernel_figures_timer;
  std::unique_ptr<ipvs::Backend> backend;
  ipvs::NetlinkBackend* netlink = nullptr;  // the backend, unless dry-run
  std::unique_ptr<ipvs::Synchronizer> synchronizer;
  // None with --dry-run, unless --state-file is given: then for the overrides alone.
  std::optional<StateFile> state_file;
  std::set<ipvs::ServiceKey> owned;       // canonical keys
  std::set<ipvs::ServiceKey> owned_kept;  // dry-run: the file's set, written back untouched
  OperatorOverrides overrides;
  control::WallTime started_at = std::chrono::system_clock::now();
  control::WallTime config_loaded = started_at;
  std::unique_ptr<ipvs::StatisticsTable> kernel_statistics;
  std::unique_ptr<ipvs::KernelInfo> kernel_info;
  std::unique_ptr<DaemonControl> daemon_control;
  std::unique_ptr<control::ControlServer> control_server;
  std::unique_ptr<control::HttpServer> http_server;
  std::vector<std::unique_ptr<ServiceRuntime>> services;
  std::unique_ptr<bgp::BgpService> bgp;               // none unless bgp is enabled
  std::map<std::string, std::string> vip_of_service;  // announcing services only
  bool stopping = false;
  bool programming = false;  // start-up is over and IPVS follows the pools
  bool push_posted = false;
  bool desired_pushed = false;  // the synchronizer has had the whole table once
};

int Daemon::Impl::run() {
  const auto logger = log::get("vipd");
  if (!makeBackend() || !makeBgp() || !makeControl()) {
    return 1;
  }
  logger->info("vipd starting config={} services={} ipvs={}", loaded.config.source_file,
               loaded.config.services.size(), backend->name());

  startServices();
  waitForSignal();
  refreshKernelFigures();
  io.run();

  if (control_server) {
    control_server->stop();
  }

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
    auto opened = ipvs::NetlinkBackend::open(io);
    if (!opened) {
      log::get("ipvs")->error("{}", opened.error());
      return false;
    }
    netlink = opened->get();
    backend = std::move(*opened);
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
  loadState();
  return true;
}

// A dry run starts from an empty table of its own: it reads and writes no state, unless
// --state-file names one, and then only for the operator's overrides (so that tests can
// see them kept across restarts). A state file that cannot be read costs the services that
// left the configuration while vipd was down (they stay in the kernel) and the overrides.
void Daemon::Impl::loadState() {
  if (options.dry_run && !options.state_file) {
    return;
  }
  const auto logger = log::get("vipd");
  const std::string& path = loaded.config.global.state_file;
  state_file.emplace(path);
  auto state = state_file->load();
  if (!state) {
    logger->error(
        "state file unreadable, starting with no owned service and no operator override; "
        "services removed from the configuration while vipd was down stay in the kernel "
        "path={} error=\"{}\"",
        path, state.error());
    return;
  }
  overrides = std::move(state->overrides);
  logger->info("state loaded path={} owned_services={} disabled_servers={} held_vips={}", path,
               state->owned.size(), overrides.disabled_servers.size(), overrides.held_vips.size());
  if (options.dry_run) {
    owned_kept = std::move(state->owned);
    return;
  }
  owned = std::move(state->owned);
  synchronizer->setOwned(owned);
}

void Daemon::Impl::saveState() {
  if (!state_file) {
    return;
  }
  const PersistentState state{options.dry_run ? owned_kept : owned, overrides};
  if (auto saved = state_file->save(state); !saved) {
    log::get("vipd")->error("state file not written path={} error=\"{}\"",
                            state_file->path().string(), saved.error());
    return;
  }
  log::get("vipd")->debug("state saved path={} owned_services={} disabled_servers={} held_vips={}",
                          state_file->path().string(), state.owned.size(),
                          state.overrides.disabled_servers.size(),
                          state.overrides.held_vips.size());
}

// Owned: the services vipd has programmed (desired, and in the kernel), and those it owned
// before that the kernel still holds. A desired service that drift removed stays owned.
void Daemon::Impl::updateOwnership() {
  // A dry run owns what it programmed too (its table starts empty), so that a service a
  // reload removes is deleted; it only never saves that set.
  if (!synchronizer->firstReconcileDone()) {
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
  log::get("ipvs")->info("ipvs owned services changed services={}", owned.size());
  saveState();
}

// A service's runtime, with the operator's overrides of its servers; not started.
std::unique_ptr<ServiceRuntime> Daemon::Impl::makeService(
    const config::ServiceConfig& service_config, const std::filesystem::path& base_dir) {
  ServiceRuntime::Hooks hooks;
  hooks.on_change = [this] { markChanged(); };
  hooks.on_startup_ended = [this] { onStartupEnded(); };
  auto service = std::make_unique<ServiceRuntime>(io, service_config, base_dir, hooks);
  for (const auto& disabled : overrides.disabled_servers) {
    if (disabled.service == service_config.name) {
      service->setOperatorDisabled({disabled.host, disabled.port}, true);
    }
  }
  return service;
}

void Daemon::Impl::startServices() {
  const auto base_dir = std::filesystem::path(loaded.config.source_file).parent_path();
  for (const auto& service_config : loaded.config.services) {
    services.push_back(makeService(service_config, base_dir));
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

// Pool decisions come in bursts (a server list edit, many monitors at once); what changed
// is pushed once per loop turn.
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

// The first push hands the synchronizer the whole table; later ones only what changed: a
// verdict costs one destination, not a copy of every service.
void Daemon::Impl::pushDesired() {
  if (!desired_pushed) {
    desired_pushed = true;
    ipvs::Table desired;
    for (const auto& service : services) {
      service->takeDesiredChanges();
      desired.services.emplace(service->desired().service.key, service->desired());
    }
    synchronizer->setDesired(std::move(desired));
    updateBgpHealth();
    return;
  }

  std::set<ipvs::ServiceKey> configured;
  for (const auto& service : services) {
    pushChanges(*service);
    configured.insert(ipvs::canonical(service->desired().service.key));
  }
  // Services a reload took away.
  std::vector<ipvs::ServiceKey> gone;
  for (const auto& [key, entry] : synchronizer->desired().services) {
    if (!configured.contains(key)) {
      gone.push_back(key);
    }
  }
  for (const auto& key : gone) {
    synchronizer->removeDesiredService(key);
  }
  updateBgpHealth();
}

void Daemon::Impl::pushChanges(ServiceRuntime& service) {
  const auto changes = service.takeDesiredChanges();
  const auto& entry = service.desired();
  if (changes.whole ||
      !synchronizer->desired().services.contains(ipvs::canonical(entry.service.key))) {
    synchronizer->setDesiredService(entry);
    return;
  }
  for (const auto& key : changes.destinations) {
    const auto it = entry.destinations.find(key);
    if (it == entry.destinations.end()) {
      synchronizer->removeDesiredDestination(entry.service.key, key);
    } else {
      synchronizer->setDesiredDestination(entry.service.key, it->second);
    }
  }
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
  for (const auto& vip : overrides.held_vips) {
    const auto held = bgp->holdVip(vip, true);
    log::get("bgp")->info("operator hold restored from the state file vip={} outcome=\"{}\"", vip,
                          held ? *held : held.error());
  }
  return true;
}

// The control socket always; the HTTP instrumentation when the configuration enables it.
// A socket that cannot be bound stops vipd at start, with the reason.
bool Daemon::Impl::makeControl() {
  DaemonControl::Parts parts{
      options, loaded.config, config_loaded,  services,  backend,           synchronizer,
      owned,   bgp,           vip_of_service, overrides, kernel_statistics, kernel_info};
  DaemonControl::Hooks hooks;
  hooks.reload = [this](const std::string& file) { return reload(file); };
  hooks.overrides_changed = [this] { saveState(); };
  hooks.shutdown = [this] { asio::post(io, [this] { stop("vipc down"); }); };
  daemon_control = std::make_unique<DaemonControl>(parts, std::move(hooks), started_at);

  const auto& global = loaded.config.global;
  control::ControlServerOptions socket_options;
  socket_options.path = global.control_socket;
  socket_options.group = global.control_socket_group;
  socket_options.read_only_path = global.control_socket_read_only;
  control_server = std::make_unique<control::ControlServer>(io, *daemon_control, socket_options);
  if (auto listening = control_server->start(); !listening) {
    log::get("control")->error("control socket cannot be opened path={} error=\"{}\"",
                               socket_options.path, listening.error());
    return false;
  }

  if (!global.instrumentation.enabled) {
    return true;
  }
  const auto http_options = httpOptions(global.instrumentation);
  http_server = std::make_unique<control::HttpServer>(io, *daemon_control, http_options);
  if (auto listening = http_server->start(); !listening) {
    log::get("control")->error("instrumentation cannot listen port={} error=\"{}\"",
                               http_options.port, listening.error());
    return false;
  }
  log::get("control")->info("instrumentation listening port={} addresses={}", http_options.port,
                            http_options.addresses.size());
  return true;
}

// The netlink backend's counters and info, for `show ipvs stats` and /metrics; dry-run has
// none. Read a little ahead of need so that a scrape never waits on the kernel.
void Daemon::Impl::refreshKernelFigures() {
  if (netlink == nullptr || stopping) {
    return;
  }
  netlink->dumpStatistics([this](std::expected<ipvs::StatisticsTable, std::string> table) {
    if (table) {
      kernel_statistics = std::make_unique<ipvs::StatisticsTable>(std::move(*table));
    } else {
      log::get("ipvs")->warn("ipvs counters unreadable error=\"{}\"", table.error());
    }
  });
  netlink->info([this](std::expected<ipvs::KernelInfo, std::string> info) {
    if (info) {
      kernel_info = std::make_unique<ipvs::KernelInfo>(*info);
    }
  });
  kernel_figures_timer.expires_after(kKernelFiguresInterval);
  kernel_figures_timer.async_wait([this](const boost::system::error_code& error) {
    if (!error) {
      refreshKernelFigures();
    }
  });
}

// `vipc configure` and SIGHUP. A file that does not load or validate changes nothing.
control::CommandResult Daemon::Impl::reload(const std::string& file) {
  const auto logger = log::get("vipd");
  auto next = checkConfiguration(options.format, file);
  if (!next) {
    daemon_control->countReload(false);
    logger->error(
        "configuration reload refused, the running configuration stays file={} "
        "errors={}",
        file, next.error().size());
    auto errors = formatDiagnostics(next.error());
    errors.pop_back();
    return std::unexpected("configuration refused, nothing changed:\n" + errors);
  }
  resolveAgainstConfig(options, next->config.global);

  const auto plan = planReload(loaded.config, next->config);
  applyReload(plan);
  loaded.config = plan.effective;
  config_loaded = std::chrono::system_clock::now();
  daemon_control->countReload(true);
  for (const auto& change : plan.applied) {
    logger->info("configuration change applied file={} change=\"{}\"", file, change);
  }
  for (const auto& change : plan.needs_restart) {
    logger->warn("configuration change needs a restart file={} change=\"{}\"", file, change);
  }
  return "configuration " + file + " reloaded\n" + plan.summary();
}

void Daemon::Impl::applyReload(const ReloadPlan& plan) {
  if (plan.log_level_changed) {
    log::setLevel(plan.effective.global.log_level);
  }

  // Removed services stop now and are destroyed once their queued work has run.
  for (const auto& name : plan.removed) {
    const auto it = std::ranges::find_if(
        services, [&](const auto& service) { return service->config().name == name; });
    (*it)->stop();
    synchronizer->removeDesiredService((*it)->ipvsKey());
    asio::post(io, [retired = std::shared_ptr<ServiceRuntime>(std::move(*it))] {});
    services.erase(it);
  }

  std::map<std::string, const config::ServiceConfig*> wanted;
  for (const auto& service : plan.effective.services) {
    wanted.emplace(service.name, &service);
  }
  for (const auto& name : plan.updated) {
    for (const auto& service : services) {
      if (service->config().name == name) {
        service->reconfigure(*wanted.at(name));
      }
    }
  }

  // Added services start their checks from scratch; like at start-up, a server without a
  // verdict after the grace counts as down.
  const auto base_dir = std::filesystem::path(plan.effective.source_file).parent_path();
  for (const auto& name : plan.added) {
    services.push_back(makeService(*wanted.at(name), base_dir));
    services.back()->start();
  }
  if (!plan.added.empty()) {
    reload_grace_timer.expires_after(startupGrace(plan.effective));
    reload_grace_timer.async_wait([this](const boost::system::error_code& error) {
      if (!error) {
        endStartupGrace();
      }
    });
  }

  if (bgp && plan.announce_changed) {
    vip_of_service = vipOfService(plan.effective);
    bgp->setVips(vipPolicies(plan.effective));
  }
  markChanged();
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
void Daemon::Impl::stop(std::string_view cause) {
  if (stopping) {
    return;
  }
  stopping = true;
  log::get("vipd")->info("stopping cause=\"{}\"", cause);
  kernel_figures_timer.cancel();
  if (http_server) {
    http_server->stop();
  }
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
      log::get("vipd")->info("configuration reload requested by SIGHUP file={}",
                             loaded.config.source_file);
      reload(loaded.config.source_file);
      waitForSignal();
      return;
    }
    if (signal == SIGUSR1 || signal == SIGUSR2) {
      drainSignal(bgp.get(), signal == SIGUSR1);
      waitForSignal();
      return;
    }
    stop(signal == SIGTERM ? "SIGTERM" : "SIGINT");
  });
}

Daemon::Daemon(Options options, config::Loaded loaded)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(loaded))) {}

Daemon::~Daemon() = default;

int Daemon::run() {
  return impl_->run();
}

}  // namespace vipd
