#include "bgp/bgp_service.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <set>

#include "bgp/listener.h"
#include "common/log.h"

namespace vipd::bgp {
namespace {

// RFC 9003: the router's operator reads what was done, and how to undo it.
constexpr std::string_view kDisabledMessage = "disabled by the operator: vipc disable protocol";
constexpr std::string_view kRestartMessage = "restarted by the operator: vipc restart protocol";

using CommandResult = std::expected<std::string, std::string>;

// The BGP identifier when none is configured: the first IPv4 address vipd speaks from.
std::optional<std::uint32_t> deriveRouterId(const SpeakerSettings& settings) {
  std::vector<IpAddress> candidates = settings.listen_addresses;
  for (const PeerSettings& peer : settings.peers) {
    if (peer.local_address) {
      candidates.push_back(*peer.local_address);
    }
  }
  for (const IpAddress& address : candidates) {
    if (address.isV4()) {
      const auto& b = address.bytes();
      return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) |
             (std::uint32_t{b[2]} << 8) | b[3];
    }
  }
  return std::nullopt;
}

SpeakerSettings withPeerNames(SpeakerSettings settings) {
  for (PeerSettings& peer : settings.peers) {
    if (peer.name.empty()) {
      peer.name = peer.address.toString();
    }
  }
  return settings;
}

}  // namespace

class BgpService::Impl {
 public:
  Impl(boost::asio::io_context& io, SpeakerSettings settings, std::vector<VipPolicy> vips,
       RouteAttributes global)
      : io_(io),
        settings_(withPeerNames(std::move(settings))),
        speaker_(settings_, std::move(vips), std::move(global)),
        listener_(io, [this](const IpAddress& peer) { return findByAddress(peer); }),
        tick_(io),
        log_(vipd::log::get("bgp")) {}

  std::expected<void, std::string> start();
  void apply(const std::vector<RouteChange>& changes);
  void stop(std::function<void()> done);
  CommandResult setPeerEnabled(std::string_view name, bool on);
  CommandResult restartPeer(std::string_view name);
  CommandResult holdVip(std::string_view text, bool withdrawn);

  // Public to BgpService, in construction order.
  boost::asio::io_context& io_;
  SpeakerSettings settings_;
  Speaker speaker_;
  std::uint32_t router_id_ = 0;
  std::vector<std::unique_ptr<Session>> sessions_;
  Listener listener_;
  boost::asio::steady_timer tick_;
  std::shared_ptr<spdlog::logger> log_;
  bool stopping_ = false;
  std::function<void()> stopped_;
  std::set<std::string, std::less<>> disabled_;  // peers an operator disabled

 private:
  Session* findByAddress(const IpAddress& peer) {
    for (const auto& session : sessions_) {
      if (session->peer().address == peer) {
        return session.get();
      }
    }
    return nullptr;
  }
  Session* findByName(std::string_view name) {
    for (const auto& session : sessions_) {
      if (session->name() == name) {
        return session.get();
      }
    }
    return nullptr;
  }
  Session::Callbacks callbacks();
  void rearm();
  void finishStop();
  void afterSessionsClosed();
  static Speaker::TimePoint now() { return std::chrono::steady_clock::now(); }
};

std::expected<void, std::string> BgpService::Impl::start() {
  const auto router_id = settings_.router_id ? settings_.router_id : deriveRouterId(settings_);
  if (!router_id || *router_id == 0) {
    return std::unexpected("bgp: no router id: configure one or a local IPv4 address");
  }
  router_id_ = *router_id;

  for (const PeerSettings& peer : settings_.peers) {
    FsmSettings fsm{settings_.local_as, router_id_, peer, settings_.graceful_restart};
    sessions_.push_back(std::make_unique<Session>(io_, std::move(fsm), callbacks()));
    if (!peer.md5_password.empty()) {
      if (auto set = listener_.setMd5Key(peer.address, peer.md5_password); !set) {
        return std::unexpected("bgp: peer " + peer.name + ": " + set.error());
      }
    }
  }

  if (settings_.listen_port != 0) {
    if (settings_.listen_addresses.empty()) {
      if (auto bound = listener_.listenAny(settings_.listen_port); !bound) {
        return std::unexpected("bgp: " + bound.error());
      }
    }
    for (const IpAddress& address : settings_.listen_addresses) {
      if (auto bound = listener_.listen(address, settings_.listen_port); !bound) {
        return std::unexpected("bgp: " + bound.error());
      }
    }
  }

  for (const auto& session : sessions_) {
    session->start();
  }
  return {};
}

Session::Callbacks BgpService::Impl::callbacks() {
  Session::Callbacks callbacks;
  callbacks.established = [this](Session& session) {
    const auto peer_session = session.peerSession();
    if (!peer_session) {
      return;
    }
    log_->info("session established peer={} internal={} ipv4={} ipv6={}", session.name(),
               peer_session->internal, peer_session->ipv4_unicast, peer_session->ipv6_unicast);
    apply(speaker_.peerUp(session.name(), *peer_session));
    session.sendEndOfRib();
  };
  callbacks.down = [this](Session& session, FsmReason reason) {
    log_->warn("session down peer={} reason={}", session.name(), fsmReasonName(reason));
    speaker_.peerDown(session.name());
  };
  callbacks.route_refresh = [this](Session& session) {
    log_->info("route refresh received peer={}", session.name());
    std::vector<Announcement> announcements;
    for (const RouteChange& route : speaker_.table(session.name())) {
      announcements.push_back(Announcement{route.attributes, {route.prefix}});
    }
    session.sendRoutes(announcements, {});
  };
  return callbacks;
}

// TODO: each call's changes go out at once, as UPDATEs of their own: 100,000 setHealth()
// calls in one loop turn are 100,000 one-prefix UPDATEs (10 times BIRD's CPU to withdraw
// them, docs/performance.md). Coalescing a turn's changes per peer, the last change of a
// prefix winning, would let VIPs that fail together share messages.
void BgpService::Impl::apply(const std::vector<RouteChange>& changes) {
  struct PeerBatch {
    std::vector<Announcement> announcements;
    std::vector<Prefix> withdrawals;
  };
  std::map<std::string, PeerBatch> batches;
  for (const RouteChange& change : changes) {
    log_->info("vip {} vip={} peer={} prefix={} reason={} detail=\"{}\"",
               change.announce ? "announced" : "withdrawn", change.vip, change.peer,
               change.prefix.toString(), changeReasonName(change.reason), change.detail);
    PeerBatch& batch = batches[change.peer];
    if (!change.announce) {
      batch.withdrawals.push_back(change.prefix);
      continue;
    }
    // Prefixes with the same attributes share UPDATEs.
    auto same = std::ranges::find_if(batch.announcements, [&](const Announcement& a) {
      return a.attributes == change.attributes;
    });
    if (same == batch.announcements.end()) {
      batch.announcements.push_back(Announcement{change.attributes, {}});
      same = std::prev(batch.announcements.end());
    }
    same->prefixes.push_back(change.prefix);
  }

  for (const auto& [peer, batch] : batches) {
    if (Session* session = findByName(peer)) {
      session->sendRoutes(batch.announcements, batch.withdrawals);
    }
  }
  rearm();
}

void BgpService::Impl::rearm() {
  const auto next = speaker_.nextDeadline();
  if (!next) {
    tick_.cancel();
    return;
  }
  tick_.expires_at(*next);
  tick_.async_wait([this](const boost::system::error_code& error) {
    if (error) {
      return;
    }
    apply(speaker_.tick(now()));
    if (stopping_ && speaker_.stopComplete()) {
      finishStop();
    }
  });
}

void BgpService::Impl::stop(std::function<void()> done) {
  if (stopping_) {
    return;
  }
  stopping_ = true;
  stopped_ = std::move(done);
  log_->info("speaker stopping graceful_restart={} drain_on_stop={}",
             settings_.graceful_restart.enabled, settings_.drain_on_stop);
  apply(speaker_.stop(now()));
  if (speaker_.stopComplete()) {
    finishStop();
  }
}

void BgpService::Impl::finishStop() {
  // RFC 9003: tell the operator of the router why; under graceful restart close silently,
  // so that the peers keep the routes (RFC 4724 4).
  std::optional<Notification> notification;
  if (!speaker_.closeSilently()) {
    notification =
        Notification::shutdown(CeaseError::AdministrativeShutdown, settings_.shutdown_message);
  }
  listener_.close();
  tick_.cancel();
  if (sessions_.empty()) {
    afterSessionsClosed();
    return;
  }
  auto open = std::make_shared<std::size_t>(sessions_.size());
  for (const auto& session : sessions_) {
    session->stop(notification, [this, open] {
      if (--*open == 0) {
        afterSessionsClosed();
      }
    });
  }
}

void BgpService::Impl::afterSessionsClosed() {
  log_->info("speaker stopped sessions={}", sessions_.size());
  if (auto done = std::exchange(stopped_, nullptr)) {
    done();
  }
}

// --- Operator commands -------------------------------------------------------------------

CommandResult BgpService::Impl::setPeerEnabled(std::string_view name, bool on) {
  Session* session = findByName(name);
  if (session == nullptr) {
    return std::unexpected("no such protocol: " + std::string(name));
  }
  if (stopping_) {
    return std::unexpected("vipd is stopping");
  }
  const std::string& peer = session->name();
  if (const bool enabled = !disabled_.contains(peer); enabled == on) {
    return "protocol " + peer + " already " + (on ? "enabled" : "disabled");
  }

  if (on) {
    disabled_.erase(peer);
    log_->info("protocol enabled by the operator peer={}", peer);
    session->start();
    return "protocol " + peer + " enabled";
  }
  disabled_.insert(peer);
  log_->info("protocol disabled by the operator peer={}", peer);
  session->stop(Notification::shutdown(CeaseError::AdministrativeShutdown, kDisabledMessage));
  return "protocol " + peer + " disabled";
}

CommandResult BgpService::Impl::restartPeer(std::string_view name) {
  Session* session = findByName(name);
  if (session == nullptr) {
    return std::unexpected("no such protocol: " + std::string(name));
  }
  if (stopping_) {
    return std::unexpected("vipd is stopping");
  }
  const std::string& peer = session->name();
  if (disabled_.contains(peer)) {
    return std::unexpected("protocol " + peer + " is disabled: vipc enable protocol " + peer +
                           " starts it");
  }

  log_->info("protocol restarted by the operator peer={}", peer);
  session->stop(Notification::shutdown(CeaseError::AdministrativeReset, kRestartMessage));
  session->start();
  return "protocol " + peer + " restarted";
}

CommandResult BgpService::Impl::holdVip(std::string_view text, bool withdrawn) {
  const auto vip = speaker_.resolveVip(text);
  if (!vip) {
    return std::unexpected("no such vip: " + std::string(text));
  }
  if (stopping_) {
    return std::unexpected("vipd is stopping");
  }
  if (speaker_.operatorHold(*vip) == withdrawn) {
    return "vip " + *vip + (withdrawn ? " already held" : " not held");
  }

  log_->info("vip {} by the operator vip={}", withdrawn ? "held" : "released", *vip);
  apply(speaker_.setOperatorHold(*vip, withdrawn, now()));
  if (withdrawn) {
    return "vip " + *vip + " withdrawn from every peer until vipc announce vip " + *vip;
  }
  return "vip " + *vip + " released, now " + speaker_.describeVip(*vip, now());
}

BgpService::BgpService(boost::asio::io_context& io, SpeakerSettings settings,
                       std::vector<VipPolicy> vips, RouteAttributes global_attributes)
    : impl_(std::make_unique<Impl>(io, std::move(settings), std::move(vips),
                                   std::move(global_attributes))) {}

BgpService::~BgpService() = default;

std::expected<void, std::string> BgpService::start() {
  return impl_->start();
}

void BgpService::setHealth(std::string_view vip, const VipHealth& health) {
  impl_->apply(impl_->speaker_.setHealth(vip, health, std::chrono::steady_clock::now()));
}

void BgpService::startupDone() {
  impl_->apply(impl_->speaker_.startupDone(std::chrono::steady_clock::now()));
}

void BgpService::setVips(std::vector<VipPolicy> vips) {
  impl_->apply(impl_->speaker_.setVips(std::move(vips), std::chrono::steady_clock::now()));
}

void BgpService::drain() {
  impl_->apply(impl_->speaker_.drain(std::chrono::steady_clock::now()));
}

void BgpService::undrain() {
  impl_->apply(impl_->speaker_.undrain(std::chrono::steady_clock::now()));
}

void BgpService::stop(std::function<void()> done) {
  impl_->stop(std::move(done));
}

std::expected<std::string, std::string> BgpService::setPeerEnabled(std::string_view peer, bool on) {
  return impl_->setPeerEnabled(peer, on);
}

std::expected<std::string, std::string> BgpService::restartPeer(std::string_view peer) {
  return impl_->restartPeer(peer);
}

std::expected<std::string, std::string> BgpService::holdVip(std::string_view vip, bool withdrawn) {
  return impl_->holdVip(vip, withdrawn);
}

std::vector<SessionStatus> BgpService::sessions() const {
  std::vector<SessionStatus> out;
  for (const auto& session : impl_->sessions_) {
    SessionStatus status = session->status();
    status.enabled = !impl_->disabled_.contains(status.name);
    out.push_back(std::move(status));
  }
  return out;
}

std::vector<RouteStatus> BgpService::routes() const {
  return impl_->speaker_.routes(std::chrono::steady_clock::now(), std::chrono::system_clock::now());
}

const SpeakerCounters& BgpService::counters() const {
  return impl_->speaker_.counters();
}

std::uint32_t BgpService::routerId() const {
  return impl_->router_id_;
}

std::vector<std::pair<IpAddress, std::uint16_t>> BgpService::listening() const {
  return impl_->listener_.endpoints();
}

}  // namespace vipd::bgp
