// ServiceRuntime: one configured service at run time. It keeps the service's server list
// (inline, or a file:// list followed live), resolves each server's host, runs the
// server's monitors, combines their verdicts (a server is up only when every monitor says
// up), feeds the pool, and logs and counts each pool decision. It knows no netlink and no
// BGP: the daemon reads desired() after each change.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
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
  // The IPVS entry this service wants now (destinations of servers with an address).
  ipvs::ServiceEntry desired() const;

 private:
  struct Server;

  void applyServerList(const std::vector<config::ServerConfig>& list);
  void addServer(const pool::ServerSpec& spec);
  void startMonitors(Server& server);
  void onAddress(const pool::ServerId& id, const IpAddress& address);
  void onVerdict(const pool::ServerId& id);
  void handle(const std::vector<pool::Decision>& decisions);
  void logDecision(const pool::Decision& decision) const;
  pool::Health combinedHealth(const Server& server) const;

  boost::asio::io_context& io_;
  config::ServiceConfig config_;
  std::filesystem::path base_dir_;
  Hooks hooks_;
  ipvs::Service ipvs_service_;
  pool::Pool pool_;
  std::map<pool::ServerId, std::unique_ptr<Server>> servers_;
  std::unique_ptr<config::ServerListWatcher> watcher_;
  bool started_reported_ = false;
};

}  // namespace vipd
