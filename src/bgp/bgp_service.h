// BgpService: vipd's BGP speaker at run time. It owns the Speaker (what to announce), one
// Session per peer, the shared Listener and the timer of the speaker's deadlines, on one
// io_context. The daemon gives it the VIPs' health and the start-up, drain and stop
// commands; it logs every announcement and withdrawal with the VIP, the peer and the
// reason, and sends them to the peers, packed into UPDATEs per peer.
//
// The router id (BGP identifier) is SpeakerSettings::router_id, else the first IPv4 address
// among the listen addresses and the peers' local addresses; start() fails without one.
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
  // closes every session and the listener, and calls done. The io_context runs out of work
  // once the last NOTIFICATION is written.
  void stop(std::function<void()> done);

  std::vector<SessionStatus> sessions() const;
  const SpeakerCounters& counters() const;
  std::uint32_t routerId() const;
  std::vector<std::pair<IpAddress, std::uint16_t>> listening() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vipd::bgp
