// ServiceRuntime: one configured service at run time. It keeps the service's server list
// (inline, or a file:// list followed live), resolves each server's host, runs the
// server's monitors, combines their verdicts (a server is up only when every monitor says
// up), feeds the pool, and logs and counts each pool decision. It knows no netlink and no
// BGP: after each change the daemon takes what changed in desired().
#pragma once

#include <chrono>
#include <expected>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/model.h"
#include "ipvs/model.h"
#include "pool/pool.h"

namespace boost::asio {
class io_context;
}

namespace vipd::config {
class ServerListWatcher;
}

namespace vipd::monitor {
class Monitor;
struct MonitorPlan;
}  // namespace vipd::monitor

namespace vipd {

class ServiceRuntime {
 public:
  struct Hooks {
    std::function<void()> on_change;         // desired() may have changed
    std::function<void()> on_startup_ended;  // the pool made its first decisions
  };

  // `base_dir` resolves relative file:// server lists (the configuration file's folder).
  ServiceRuntime(boost::asio::io_context& io, config::ServiceConfig config,
                 std::filesystem::path base_dir, Hooks hooks);
  ~ServiceRuntime();
  ServiceRuntime(const ServiceRuntime&) = delete;
  ServiceRuntime& operator=(const ServiceRuntime&) = delete;

  void start();
  void stop();
  // The start-up grace ran out: servers still without a verdict count as down.
  void endStartup();

  const config::ServiceConfig& config() const { return config_; }
  const pool::Pool& pool() const { return pool_; }
  const ipvs::ServiceKey& ipvsKey() const { return ipvs_service_.key; }
  // The IPVS entry this service wants now (destinations of servers with an address), kept
  // up to date from each pool decision and address: reading it costs nothing. Empty of
  // destinations while the pool is starting. Two servers with the same address and port
  // are one destination: that of the first in ServerId order (a warning says so).
  const ipvs::ServiceEntry& desired() const { return desired_; }

  // What changed in desired() since the last call: some destinations (added, changed or
  // gone), or the whole entry (its service fields, or every destination at once).
  struct DesiredChanges {
    bool whole = false;
    std::vector<ipvs::DestinationKey> destinations;
  };
  DesiredChanges takeDesiredChanges();

  // What the control plane shows of one server beyond its pool state.
  struct ServerDetail {
    std::optional<IpAddress> address;                   // none until resolved
    std::vector<const monitor::Monitor*> monitors;      // none while disabled or unresolved
    std::chrono::system_clock::time_point last_change;  // of its health or pooled state
    bool operator_disabled = false;
  };
  std::optional<ServerDetail> serverDetail(const pool::ServerId& id) const;

  // `vipc disable server` / `enable server`: a server the operator disabled counts as
  // disabled in the server list (never pooled, monitors stopped) while the override
  // stands, whatever the list says. May be called before start().
  void setOperatorDisabled(const pool::ServerId& id, bool disabled);
  const std::set<pool::ServerId>& operatorDisabled() const { return operator_disabled_; }

  // A reload's live changes (reload_plan.h): the inline servers, the depool threshold and
  // action, the IPVS parameters the kernel edits in place, the announce policy. The rest
  // of `next` is ignored.
  void reconfigure(const config::ServiceConfig& next);

 private:
  struct Server;

  // One server as a list application wants it.
  struct Wanted {
    pool::ServerSpec spec;
    bool from_file = false;       // the file:// list's entry, not an inline one
    bool listed_enabled = false;  // before the operator's override
  };
  // The inline servers and those of the file:// list (whose entries win), in ServerId
  // order, one entry each.
  std::vector<Wanted> wantedServers(const std::vector<config::ServerConfig>& file_list) const;
  // Stops and forgets the servers not in `wanted` (sorted); returns how many.
  std::size_t removeUnlisted(const std::vector<Wanted>& wanted);
  // Applies the inline servers and `file_list`, the file:// list's last good read.
  void applyServerList(const std::vector<config::ServerConfig>& file_list);
  void updateEnabled(const pool::ServerId& id, Server& server, bool enabled);
  // Returns freed memory to the system once a large change has settled.
  void trimSoon();
  // The file:// list's entries in force, given back from the servers (the list is not kept).
  std::vector<config::ServerConfig> fileServers() const;
  Server& addServer(const pool::ServerSpec& spec);
  // A numeric host's address, known at once: no HostResolution is made for it.
  void useNumericAddress(const pool::ServerId& id, Server& server,
                         const std::expected<IpAddress, std::string>& address);
  // `id` is the key of `server` in servers_: the monitors view its host.
  void startMonitors(const pool::ServerId& id, Server& server);
  void onAddress(const pool::ServerId& id, const IpAddress& address);
  void onVerdict(const pool::ServerId& id);
  void handle(const std::vector<pool::Decision>& decisions);
  // Brings one server's destination in desired_ in line with its pool state and address.
  void updateDestination(const pool::ServerId& id, Server& server);
  void forgetDestination(Server& server);
  // desired_ from every server at once: at the end of start-up, when the service's fields
  // or depool action change, and while two servers share a destination.
  void rebuildDesired();
  void followServiceFields();
  void logDecision(const pool::Decision& decision) const;
  pool::Health combinedHealth(const Server& server) const;

  boost::asio::io_context& io_;
  config::ServiceConfig config_;
  std::filesystem::path base_dir_;
  Hooks hooks_;
  ipvs::Service ipvs_service_;
  // One plan per configured monitor, shared by every server's monitor of that kind.
  std::vector<std::shared_ptr<const monitor::MonitorPlan>> monitor_plans_;
  pool::Pool pool_;
  std::map<pool::ServerId, std::unique_ptr<Server>> servers_;
  std::unique_ptr<config::ServerListWatcher> watcher_;
  ipvs::ServiceEntry desired_;
  DesiredChanges desired_changes_{.whole = true, .destinations = {}};  // new: all of it
  config::DepoolAction desired_depool_action_;  // the action desired_ was built with
  bool shared_destination_ = false;             // two servers have one address and port
  std::set<pool::ServerId> operator_disabled_;
  struct TrimTimer;
  std::unique_ptr<TrimTimer> trim_timer_;  // made by the first large change
  bool listed_ = false;                    // a server list was applied once
  bool started_reported_ = false;
};

}  // namespace vipd
