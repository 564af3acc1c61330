#include "control/view_messages.h"

namespace vipd::control {

namespace {

template <typename View>
Counters counters(const View& view) {
  Counters out;
  out.set_connections(view.connections);
  out.set_packets_in(view.packets_in);
  out.set_packets_out(view.packets_out);
  out.set_bytes_in(view.bytes_in);
  out.set_bytes_out(view.bytes_out);
  out.set_cps(view.cps);
  out.set_pps_in(view.pps_in);
  out.set_pps_out(view.pps_out);
  out.set_bps_in(view.bps_in);
  out.set_bps_out(view.bps_out);
  return out;
}

}  // namespace

double ViewMessages::unixTime(WallTime time) {
  if (time == WallTime{}) {
    return 0;
  }
  return std::chrono::duration<double>(time.time_since_epoch()).count();
}

Status ViewMessages::status(const StatusView& view, WallTime now) {
  Status out;
  out.set_version(view.version);
  out.set_hostname(view.hostname);
  out.set_started(unixTime(view.started));
  out.set_now(unixTime(now));
  out.set_config_file(view.config_file);
  out.set_config_format(view.config_format);
  out.set_config_loaded(unixTime(view.config_loaded));
  out.set_dry_run(view.dry_run);
  out.set_ipvs_backend(view.ipvs_backend);
  out.set_router_id(view.router_id);
  out.set_services(view.services);
  out.set_servers(view.servers);
  out.set_peers(view.peers);
  return out;
}

Service ViewMessages::service(const ServiceView& view, bool with_servers) {
  Service out;
  out.set_name(view.name);
  out.set_protocol(view.protocol);
  out.set_address(view.address);
  out.set_port(view.port);
  out.set_fwmark(view.fwmark);
  out.set_scheduler(view.scheduler);
  out.set_forwarding(view.forwarding);
  out.set_depool_threshold(view.depool_threshold);
  out.set_depool_action(view.depool_action);
  out.set_servers(view.servers);
  out.set_enabled(view.enabled);
  out.set_up(view.up);
  out.set_pooled(view.pooled);
  out.set_pooled_but_down(view.pooled_but_down);
  out.set_can_depool(view.can_depool);
  out.set_could_not_depool(view.could_not_depool);
  out.set_programmed(view.programmed);
  out.set_has_bgp(view.announced.has_value());
  out.set_announced(view.announced.value_or(false));
  out.set_announce_reason(view.announce_reason);
  if (with_servers) {
    for (const auto& server_view : view.server_list) {
      *out.add_server_list() = server(server_view);
    }
  }
  return out;
}

Server ViewMessages::server(const ServerView& view) {
  Server out;
  out.set_host(view.host);
  out.set_port(view.port);
  out.set_address(view.address);
  out.set_weight(view.weight);
  out.set_enabled(view.enabled);
  out.set_operator_disabled(view.operator_disabled);
  out.set_health(view.health);
  out.set_pooled(view.pooled);
  out.set_last_change(unixTime(view.last_change));
  for (const auto& monitor_view : view.monitors) {
    *out.add_monitors() = monitor(monitor_view);
  }
  return out;
}

Monitor ViewMessages::monitor(const MonitorView& view) {
  Monitor out;
  out.set_name(view.name);
  out.set_kind(view.kind);
  out.set_verdict(view.verdict);
  out.set_last_message(view.last_message);
  out.set_last_latency_seconds(view.last_latency_seconds);
  out.set_last_change(unixTime(view.last_change));
  out.set_interval_seconds(view.interval_seconds);
  out.set_timeout_seconds(view.timeout_seconds);
  out.set_checks(view.checks);
  out.set_up_results(view.up_results);
  out.set_down_results(view.down_results);
  out.set_timeouts(view.timeouts);
  out.set_up_transitions(view.up_transitions);
  out.set_down_transitions(view.down_transitions);
  return out;
}

IpvsSummary ViewMessages::ipvsSummary(const IpvsView& view, bool stats) {
  IpvsSummary out;
  out.set_backend(view.backend);
  out.set_version(view.version);
  out.set_connection_table_size(view.connection_table_size);
  out.set_operations_applied(view.operations_applied);
  out.set_operations_failed(view.operations_failed);
  out.set_repairs(view.repairs);
  out.set_stats(stats);
  return out;
}

IpvsService ViewMessages::ipvsService(const IpvsServiceView& view) {
  IpvsService out;
  out.set_key(view.key);
  out.set_scheduler(view.scheduler);
  out.set_flags(view.flags);
  out.set_owned(view.owned);
  *out.mutable_counters() = counters(view);
  for (const auto& destination : view.destinations) {
    auto* message = out.add_destinations();
    message->set_address(destination.address);
    message->set_forwarding(destination.forwarding);
    message->set_weight(destination.weight);
    message->set_active_connections(destination.active_connections);
    message->set_inactive_connections(destination.inactive_connections);
    *message->mutable_counters() = counters(destination);
  }
  return out;
}

Peer ViewMessages::peer(const PeerView& view, bool all) {
  Peer out;
  out.set_name(view.name);
  out.set_address(view.address);
  out.set_port(view.port);
  out.set_peer_as(view.peer_as);
  out.set_local_as(view.local_as);
  out.set_state(view.state);
  out.set_since(unixTime(view.since));
  out.set_last_error(view.last_error);
  out.set_enabled(view.enabled);
  out.set_all(all);
  if (!all) {
    return out;
  }
  out.set_local_address(view.local_address);
  out.set_peer_id(view.peer_id);
  out.set_hold_time(view.hold_time);
  out.set_keepalive_time(view.keepalive_time);
  out.set_configured_hold_time(view.configured_hold_time);
  out.set_hold_timer_remaining(view.hold_timer_remaining);
  out.set_keepalive_timer_remaining(view.keepalive_timer_remaining);
  for (const auto& capability : view.local_capabilities) {
    out.add_local_capabilities(capability);
  }
  for (const auto& capability : view.peer_capabilities) {
    out.add_peer_capabilities(capability);
  }
  out.set_messages_sent(view.messages_sent);
  out.set_messages_received(view.messages_received);
  out.set_updates_sent(view.updates_sent);
  out.set_updates_received(view.updates_received);
  out.set_notifications_sent(view.notifications_sent);
  out.set_notifications_received(view.notifications_received);
  out.set_prefixes_announced(view.prefixes_announced);
  out.set_prefixes_withdrawn(view.prefixes_withdrawn);
  out.set_prefixes_received(view.prefixes_received);
  out.set_established_transitions(view.established_transitions);
  return out;
}

Route ViewMessages::route(const RouteView& view) {
  Route out;
  out.set_prefix(view.prefix);
  out.set_peer(view.peer);
  out.set_announced(view.announced);
  out.set_state(view.state);
  out.set_reason(view.reason);
  out.set_since(unixTime(view.since));
  out.set_next_hop(view.next_hop);
  for (const auto as : view.as_path) {
    out.add_as_path(as);
  }
  out.set_has_med(view.med.has_value());
  out.set_med(view.med.value_or(0));
  out.set_has_local_pref(view.local_pref.has_value());
  out.set_local_pref(view.local_pref.value_or(0));
  for (const auto& community : view.communities) {
    out.add_communities(community);
  }
  for (const auto& community : view.large_communities) {
    out.add_large_communities(community);
  }
  out.set_operator_hold(view.operator_hold);
  return out;
}

}  // namespace vipd::control
