// BgpService: vipd's BGP speaker at run time. It owns the Speaker (what to announce), one
// Session per peer, the shared Listener and the timer of the speaker's deadlines, on one
// io_context. The daemon gives it the VIPs' health and the start-up, drain and stop
// commands; it logs every announcement and withdrawal with the VIP, the peer and the
// reason (a burst: one line per peer with counts, the prefixes at debug), and sends them to
// the peers at the end of the loop turn that decided them, the last change of a prefix
// winning, packed into UPDATEs per peer.
//
// The router id (BGP identifier) is SpeakerSettings::router_id, else the first IPv4 address
// among the listen addresses and the peers' local addresses; start() fails without one.
//
// Operator commands (vipc) return what vipc prints: the outcome in words, or why the command
// was refused (an unknown peer or VIP, vipd stopping). Peers are named as configured (their
// address when unnamed); VIPs by their name (the address) or a prefix of theirs.
// Asio stays in bgp_service.cc.
#pragma once

#include <expected>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bgp/session.h"
#include "bgp/settings.h"
#include "bgp/speaker.h"

namespace boost::asio {
class io_context;
}

namespace vipd::bgp {

class BgpService {
 public:
  BgpService(boost::asio::io_context& io, SpeakerSettings settings, std::vector<VipPolicy> vips,
             RouteAttributes global_attributes = {});
  ~BgpService();
  BgpService(const BgpService&) = delete;
  BgpService& operator=(const BgpService&) = delete;

  // Binds the listener (unless listen_port is 0) and starts every session.
  std::expected<void, std::string> start();

  void setHealth(std::string_view vip, const VipHealth& health);
  void startupDone();
  void setVips(std::vector<VipPolicy> vips);
  void drain();
  void undrain();
  // Withdraws (or, under graceful restart, keeps) the routes as the Speaker decides, then
  // closes every session and the listener, and calls done once every connection is closed:
  // its NOTIFICATION written and the peer's side closed too, or a few seconds gone by
  // (PeerSettings::close_wait_time).
  void stop(std::function<void()> done);

  // `disable protocol PEER` (on false): Cease / Administrative Shutdown (RFC 4486 2) with a
  // shutdown communication (RFC 9003), then Idle until `enable protocol PEER` (on true)
  // starts it again. Disabled peers stay so across drains; not across a restart of vipd.
  std::expected<std::string, std::string> setPeerEnabled(std::string_view peer, bool on);
  // `restart protocol PEER`: Cease / Administrative Reset (RFC 4486 4), then start at once.
  std::expected<std::string, std::string> restartPeer(std::string_view peer);
  // `withdraw vip VIP` (withdrawn true) and `announce vip VIP`: the operator's hold of
  // Speaker::setOperatorHold().
  std::expected<std::string, std::string> holdVip(std::string_view vip, bool withdrawn);

  // `show protocols`: every session, enabled false after `disable protocol`.
  std::vector<SessionStatus> sessions() const;
  // `show route`: every VIP's prefixes towards every peer meant to have them.
  std::vector<RouteStatus> routes() const;
  const SpeakerCounters& counters() const;
  // How many times the timer of the speaker's deadlines was set or cancelled: only when the
  // earliest deadline moves, not on every change (tests check that rule).
  std::uint64_t timerChanges() const;
  std::uint32_t routerId() const;
  std::vector<std::pair<IpAddress, std::uint16_t>> listening() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vipd::bgp
