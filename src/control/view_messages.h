// ViewMessages: the DaemonView snapshots as control API messages. Pure.
#pragma once

#include "control/control.pb.h"
#include "control/daemon_view.h"

namespace vipd::control {

class ViewMessages {
 public:
  static double unixTime(WallTime time);

  static Status status(const StatusView& view, WallTime now);
  // With servers: each server and its monitors (`show servers`, `show monitors`).
  static Service service(const ServiceView& view, bool with_servers);
  static Server server(const ServerView& view);
  static Monitor monitor(const MonitorView& view);
  static IpvsSummary ipvsSummary(const IpvsView& view, bool stats);
  static IpvsService ipvsService(const IpvsServiceView& view);
  static Peer peer(const PeerView& view, bool all);
  static Route route(const RouteView& view);
};

}  // namespace vipd::control
