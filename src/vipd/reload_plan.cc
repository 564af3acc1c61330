#include "vipd/reload_plan.h"

#include <algorithm>
#include <functional>
#include <map>

namespace vipd {

namespace {

bool sameIdentity(const config::ServiceConfig& a, const config::ServiceConfig& b) {
  return a.protocol == b.protocol && a.vip == b.vip && a.port == b.port && a.fwmark == b.fwmark &&
         a.fwmark_family == b.fwmark_family && a.forwarding == b.forwarding;
}

// A field vipd can change in a running service: its name in the plan, and how to copy it.
struct LiveField {
  const char* what;
  std::function<bool(const config::ServiceConfig&, const config::ServiceConfig&)> same;
  std::function<void(config::ServiceConfig&, const config::ServiceConfig&)> take;
};

template <typename Member>
LiveField field(const char* what, Member member) {
  return {what, [member](const auto& a, const auto& b) { return a.*member == b.*member; },
          [member](auto& to, const auto& from) { to.*member = from.*member; }};
}

const std::vector<LiveField>& liveFields() {
  using S = config::ServiceConfig;
  static const std::vector<LiveField> fields = {
      field("servers", &S::servers),
      field("depool threshold", &S::depool_threshold),
      field("depool action", &S::depool_action),
      field("scheduler", &S::scheduler),
      field("scheduler flags", &S::scheduler_flags),
      field("one-packet scheduling", &S::one_packet),
      field("persistence", &S::persistence_timeout),
      field("persistence netmask", &S::persistence_netmask),
      field("announce policy", &S::announce),
  };
  return fields;
}

const std::vector<LiveField>& restartFields() {
  using S = config::ServiceConfig;
  static const std::vector<LiveField> fields = {
      field("monitors", &S::monitors),
      field("server list source", &S::server_list),
  };
  return fields;
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) {
    out += (out.empty() ? "" : ", ") + part;
  }
  return out;
}

// One service in both configurations: the running one with what may change live taken
// from the new one.
config::ServiceConfig planService(const config::ServiceConfig& running,
                                  const config::ServiceConfig& next, ReloadPlan& plan) {
  const auto prefix = "service " + running.name + ": ";
  if (!sameIdentity(running, next)) {
    plan.needs_restart.push_back(prefix +
                                 "protocol, VIP, port, fwmark or forwarding method (the "
                                 "service runs unchanged until vipd restarts)");
    return running;
  }

  auto effective = running;
  std::vector<std::string> applied;
  for (const auto& live : liveFields()) {
    if (!live.same(running, next)) {
      applied.emplace_back(live.what);
      live.take(effective, next);
    }
  }
  std::vector<std::string> waiting;
  for (const auto& kept : restartFields()) {
    if (!kept.same(running, next)) {
      waiting.emplace_back(kept.what);
    }
  }

  // Fields neither list knows (added to the model later) wait for a restart.
  auto rest = next;
  for (const auto& list : {liveFields(), restartFields()}) {
    for (const auto& known : list) {
      known.take(rest, running);
    }
  }
  if (!(rest == running)) {
    waiting.emplace_back("other settings");
  }

  if (!applied.empty()) {
    plan.updated.push_back(running.name);
    plan.applied.push_back(prefix + joined(applied));
    plan.announce_changed = plan.announce_changed || !(running.announce == next.announce);
  }
  if (!waiting.empty()) {
    plan.needs_restart.push_back(prefix + joined(waiting));
  }
  return effective;
}

// Everything global waits for a restart, but the log level.
config::Global planGlobal(const config::Global& running, const config::Global& next,
                          ReloadPlan& plan) {
  auto effective = running;
  if (running.log_level != next.log_level) {
    plan.applied.push_back("log level " + running.log_level + " -> " + next.log_level);
    plan.log_level_changed = true;
    effective.log_level = next.log_level;
  }

  auto rest = next;
  rest.log_level = running.log_level;
  std::vector<std::string> waiting;
  if (rest.control_socket != running.control_socket) {
    waiting.emplace_back("control socket");
    rest.control_socket = running.control_socket;
  }
  if (!(rest.instrumentation == running.instrumentation)) {
    waiting.emplace_back("instrumentation");
    rest.instrumentation = running.instrumentation;
  }
  if (!(rest.bgp == running.bgp)) {
    waiting.emplace_back("bgp global settings or peers");
    rest.bgp = running.bgp;
  }
  if (!(rest == running)) {
    waiting.emplace_back("other global settings");
  }
  if (!waiting.empty()) {
    plan.needs_restart.push_back("global: " + joined(waiting));
  }
  return effective;
}

}  // namespace

ReloadPlan planReload(const config::Config& running, const config::Config& next) {
  ReloadPlan plan;
  plan.effective = next;
  plan.effective.global = planGlobal(running.global, next.global, plan);

  std::map<std::string, const config::ServiceConfig*> before;
  for (const auto& service : running.services) {
    before.emplace(service.name, &service);
  }
  plan.effective.services.clear();
  for (const auto& service : next.services) {
    const auto found = before.find(service.name);
    if (found == before.end()) {
      plan.added.push_back(service.name);
      plan.applied.push_back("service " + service.name + ": added");
      plan.announce_changed = true;
      plan.effective.services.push_back(service);
      continue;
    }
    plan.effective.services.push_back(planService(*found->second, service, plan));
    before.erase(found);
  }
  for (const auto& service : running.services) {
    if (before.contains(service.name)) {
      plan.removed.push_back(service.name);
      plan.applied.push_back("service " + service.name + ": removed");
      plan.announce_changed = true;
    }
  }
  return plan;
}

std::string ReloadPlan::summary() const {
  if (changesNothing()) {
    return "nothing changed";
  }
  std::string out;
  for (const auto& line : applied) {
    out += "applied: " + line + "\n";
  }
  for (const auto& line : needs_restart) {
    out += "needs a restart: " + line + "\n";
  }
  out.pop_back();
  return out;
}

}  // namespace vipd
