// DaemonControl: the daemon as the control plane sees it (control::DaemonView): the views of
// vipc's `show` commands, the HTTP endpoints and /metrics, filled from the daemon's parts,
// and the operator's commands carried out on them. It owns nothing: the daemon owns the
// parts and outlives it. Commands that change the daemon's structure (a reload, `down`)
// and the saving of the operator's overrides go back to the daemon through Hooks.
//
// Every call runs on the daemon's loop thread (as DaemonView requires).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "config/model.h"
#include "control/daemon_view.h"
#include "ipvs/model.h"
#include "vipd/options.h"
#include "vipd/state_file.h"

namespace vipd::ipvs {
class Backend;
class Synchronizer;
struct StatisticsTable;
struct KernelInfo;
}  // namespace vipd::ipvs

namespace vipd::bgp {
class BgpService;
}

namespace vipd {

class ServiceRuntime;

class DaemonControl final : public control::DaemonView {
 public:
  // The daemon's parts, read at each call (a reload may replace what they point to).
  struct Parts {
    const Options& options;
    const config::Config& config;  // the running configuration
    const control::WallTime& config_loaded;
    const std::vector<std::unique_ptr<ServiceRuntime>>& services;
    const std::unique_ptr<ipvs::Backend>& backend;
    const std::unique_ptr<ipvs::Synchronizer>& synchronizer;
    const std::set<ipvs::ServiceKey>& owned;
    const std::unique_ptr<bgp::BgpService>& bgp;               // none without BGP
    const std::map<std::string, std::string>& vip_of_service;  // announcing services only
    OperatorOverrides& overrides;
    // The kernel's counters and info, refreshed by the daemon; none in dry-run.
    const std::unique_ptr<ipvs::StatisticsTable>& kernel_statistics;
    const std::unique_ptr<ipvs::KernelInfo>& kernel_info;
  };

  struct Hooks {
    // `configure [FILE]`: reload as far as possible and say what was applied.
    std::function<control::CommandResult(const std::string& file)> reload;
    // The operator's overrides changed: remember them (the state file).
    std::function<void()> overrides_changed;
    // `down`: post the clean stop, so that the reply is written first.
    std::function<void()> shutdown;
  };

  DaemonControl(Parts parts, Hooks hooks, control::WallTime started);

  control::StatusView status() const override;
  std::vector<control::ServiceView> services() const override;
  control::IpvsView ipvs(bool with_stats) const override;
  std::vector<control::PeerView> peers() const override;
  std::vector<control::RouteView> routes() const override;
  std::map<std::string, double> processFigures() const override;

  control::CommandResult checkConfiguration(const std::string& file) override;
  control::CommandResult reloadConfiguration(const std::string& file,
                                             const control::Caller& caller) override;
  control::CommandResult setServerEnabled(const std::string& service, const std::string& host,
                                          std::optional<std::uint16_t> port, bool enabled,
                                          const control::Caller& caller) override;
  control::CommandResult setPeerEnabled(const std::string& peer, bool enabled,
                                        const control::Caller& caller) override;
  control::CommandResult restartPeer(const std::string& peer,
                                     const control::Caller& caller) override;
  control::CommandResult holdVip(const std::string& vip, bool withdrawn,
                                 const control::Caller& caller) override;
  control::CommandResult drain(bool drain, const control::Caller& caller) override;
  control::CommandResult shutdown(const control::Caller& caller) override;

  // Reloads and checks counted for /metrics.
  void countReload(bool succeeded);

 private:
  control::ServiceView serviceView(const ServiceRuntime& service,
                                   const std::vector<control::RouteView>& routes) const;
  std::string fileOrCurrent(const std::string& file) const;

  Parts parts_;
  Hooks hooks_;
  control::WallTime started_;
  std::uint64_t reloads_ = 0;
  std::uint64_t reload_failures_ = 0;
};

}  // namespace vipd
