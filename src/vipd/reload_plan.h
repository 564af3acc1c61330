// ReloadPlan: what a new configuration changes against the running one, what of it vipd
// applies live and what waits for a restart. Pure: the daemon carries the plan out.
//
// Applied live:
//   - services added (started, their servers checked from scratch) and removed (stopped;
//     their IPVS entries deleted as for any service vipd owns and no longer wants);
//   - a service's inline server list (servers added, removed, reweighted, enabled or
//     disabled; servers that stay keep their health and monitors);
//   - its depool threshold and depool action;
//   - the IPVS service parameters the kernel edits in place: scheduler, scheduler flags,
//     one-packet scheduling, persistence;
//   - its announce policy (handed to the BGP speaker as a whole);
//   - the log level.
// Waiting for a restart (the running value is kept, and the plan says so):
//   - a service's protocol, VIP, port, firewall mark, address family or forwarding method
//     (its IPVS identity: the whole service is left as it runs);
//   - its monitors and its server list's source;
//   - every other global setting: control socket, instrumentation, BGP, state file, IPVS.
#pragma once

#include <string>
#include <vector>

#include "config/model.h"

namespace vipd {

struct ReloadPlan {
  // The configuration vipd runs with once the plan is carried out: the new one, except
  // where a change waits for a restart.
  config::Config effective;
  std::vector<std::string> added;          // services to start
  std::vector<std::string> removed;        // services to stop
  std::vector<std::string> updated;        // services to reconfigure live
  std::vector<std::string> applied;        // what changes now, in words ("service web: servers")
  std::vector<std::string> needs_restart;  // what does not, in words
  bool log_level_changed = false;
  bool announce_changed = false;  // some VIP policy differs: give the speaker every VIP again

  bool changesNothing() const { return applied.empty() && needs_restart.empty(); }
  // What `vipc configure` prints: one line per change, the applied ones first.
  std::string summary() const;
};

ReloadPlan planReload(const config::Config& running, const config::Config& next);

}  // namespace vipd
