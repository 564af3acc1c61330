#include "bgp/bgp_service.h"

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <numeric>
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

// Up to this many route changes to one peer in one loop turn are logged one line each at
// info; a bigger burst is one summary line at info, its lines at debug (docs/bgp.md).
constexpr std::size_t kDetailedLogLimit = 16;

// A batch of at least this many changes for one peer is queued without copying its changes.
constexpr std::size_t kAdoptAbove = 1024;
// The changes of a peer's turn are kept in chunks of this many (about 70 KB).
constexpr std::size_t kChunk = 512;
// The first part of a long decision that is sent while the rest is decided (see
// Speaker::streamChanges()); the next parts grow from it. Under a millisecond of work.
constexpr std::size_t kFirstStreamedPart = 2048;
static_assert(kFirstStreamedPart >= kAdoptAbove, "a part is taken whole");

// Prefixes gathered by their attributes, so that those with the same attributes share
// UPDATEs. Interned attributes are compared by pointer; there are few distinct ones.
class AnnouncementGroups {
 public:
  void add(const SharedAttributes& attributes, const Prefix& prefix) {
    auto same = std::ranges::find(groups_, attributes, &Group::first);
    if (same == groups_.end()) {
      groups_.emplace_back(attributes, std::vector<Prefix>{});
      same = std::prev(groups_.end());
    }
    same->second.push_back(prefix);
    ++prefixes_;
  }
  std::size_t prefixes() const { return prefixes_; }
  // The packer's input: one copy of each set of attributes.
  std::vector<Announcement> take() {
    std::vector<Announcement> announcements;
    announcements.reserve(groups_.size());
    for (auto& [attributes, prefixes] : groups_) {
      announcements.push_back(Announcement{*attributes, std::move(prefixes)});
    }
    groups_.clear();
    prefixes_ = 0;
    return announcements;
  }

 private:
  using Group = std::pair<SharedAttributes, std::vector<Prefix>>;
  std::vector<Group> groups_;
  std::size_t prefixes_ = 0;
};

// A peer's route changes of the current loop turn, the last one of each prefix winning.
struct PeerPending {
  struct Entry {
    const RouteChange* change = nullptr;  // in chunks
    bool peer_had = false;                // the peer held the prefix before this turn
    bool live = true;                     // false once a later change of the prefix supersedes it
  };
  // The changes in chunks that never grow past their capacity, so that entries point into
  // them and 100,000 changes are neither moved as a vector grows nor allocated one by one; a
  // big batch is a chunk of its own, taken whole (adopt()).
  std::vector<std::vector<RouteChange>> chunks;
  std::vector<Entry> entries;  // in the order of the changes

  void add(RouteChange&& change) {
    if (chunks.empty() || chunks.back().size() == chunks.back().capacity()) {
      chunks.emplace_back().reserve(kChunk);
    }
    entries.push_back(entryOf(chunks.back().emplace_back(std::move(change))));
  }
  void adopt(std::vector<RouteChange>&& batch) {
    const std::vector<RouteChange>& chunk = chunks.emplace_back(std::move(batch));
    entries.reserve(entries.size() + chunk.size());
    for (const RouteChange& change : chunk) {
      entries.push_back(entryOf(change));
    }
  }
  // A withdraw is only decided for a prefix the peer holds; an announce says whether it did.
  static Entry entryOf(const RouteChange& change) {
    return Entry{&change, change.announce ? change.replaces : true, true};
  }

  // Leaves live only the last change of each prefix, which learns from the first whether
  // the peer had it; returns how many prefixes changed. Once per turn, by a sort: no table
  // to keep up on each of the turn's changes.
  std::size_t settle();
};

std::size_t PeerPending::settle() {
  const auto prefixOf = [this](std::uint32_t i) -> const Prefix& {
    return entries[i].change->prefix;
  };
  std::vector<std::uint32_t> order(entries.size());
  std::iota(order.begin(), order.end(), 0u);
  if (!std::ranges::is_sorted(order, {}, prefixOf)) {
    std::ranges::stable_sort(order, {}, prefixOf);  // a prefix's changes stay in their order
  }

  std::size_t prefixes = 0;
  for (std::size_t first = 0; first < order.size(); ++prefixes) {
    std::size_t last = first;
    while (last + 1 < order.size() && prefixOf(order[last + 1]) == prefixOf(order[first])) {
      entries[order[last]].live = false;
      ++last;
    }
    entries[order[last]].peer_had = entries[order[first]].peer_had;
    first = last + 1;
  }
  return prefixes;
}

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
        log_(vipd::log::get("bgp")) {
    speaker_.streamChanges([this](std::vector<RouteChange>& part) { sendPart(part); },
                           kFirstStreamedPart);
  }

  std::expected<void, std::string> start();
  // Queues changes for the flush posted for this loop turn (see flush()).
  void apply(std::vector<RouteChange> changes) { applyFrom(changes); }
  // The same, leaving changes empty with its capacity, to be filled again.
  void applyFrom(std::vector<RouteChange>& changes);
  // Sends the queued changes now: before anything that must follow them on the wire.
  void flush();
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
  using PendingByPeer = std::map<std::string, PeerPending, std::less<>>;
  PendingByPeer pending_;
  bool flush_posted_ = false;
  std::set<std::string, std::less<>> streamed_;  // peers sent a part in this turn
  std::vector<RouteChange> health_changes_;      // setHealth()'s, reused from call to call
  // The deadline tick_ waits for, if any, and which of its waits is the current one.
  std::optional<Speaker::TimePoint> armed_for_;
  std::uint64_t arm_generation_ = 0;
  std::uint64_t timer_changes_ = 0;
  // Last, so that it goes first: a posted flush that runs after the destructor does nothing.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

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
  PendingByPeer::iterator pendingFor(const std::string& peer);
  void enqueue(std::vector<RouteChange>& changes);
  bool adopted(std::vector<RouteChange>& changes);
  void sendPart(std::vector<RouteChange>& part);
  void postFlush();
  void sendPending();
  void flushPeer(const std::string& peer, PeerPending& pending);
  void logChange(const RouteChange& change, spdlog::level::level_enum level);
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
    flush();  // RFC 4724 2: the End-of-RIB follows the initial table
    session.sendEndOfRib();
  };
  callbacks.down = [this](Session& session, FsmReason reason) {
    log_->warn("session down peer={} reason={}", session.name(), fsmReasonName(reason));
    speaker_.peerDown(session.name());
    pending_.erase(session.name());
  };
  callbacks.route_refresh = [this](Session& session) {
    log_->info("route refresh received peer={}", session.name());
    flush();
    AnnouncementGroups groups;
    for (const RouteChange& route : speaker_.table(session.name())) {
      groups.add(route.attributes, route.prefix);
    }
    session.sendRoutes(groups.take(), {});
  };
  return callbacks;
}

// Changes wait for the end of the loop turn, so that the VIPs that fail together (many
// setHealth() calls from one event) share UPDATEs; posted, not timed, so that a withdrawal
// leaves within the turn that decided it.
void BgpService::Impl::applyFrom(std::vector<RouteChange>& changes) {
  enqueue(changes);
  if (!pending_.empty()) {
    postFlush();
  }
  rearm();
}

void BgpService::Impl::enqueue(std::vector<RouteChange>& changes) {
  if (!adopted(changes)) {
    PendingByPeer::iterator pending = pending_.end();
    for (RouteChange& change : changes) {
      // A call's changes come grouped by peer: one lookup per group.
      if (pending == pending_.end() || change.peer != pending->first) {
        pending = pendingFor(change.peer);
      }
      pending->second.add(std::move(change));
    }
  }
  changes.clear();
}

// A part of a long decision goes out at once, after what the turn had queued before it: the
// receiver reads the first withdrawals of a big reload while the speaker decides the rest.
void BgpService::Impl::sendPart(std::vector<RouteChange>& part) {
  // What is left of the decision is sent at the end of the turn, and logged as the burst it
  // belongs to, however few changes it holds.
  const std::string* last = nullptr;
  for (const RouteChange& change : part) {
    if (last == nullptr || change.peer != *last) {
      last = &*streamed_.insert(change.peer).first;
    }
  }
  enqueue(part);
  sendPending();
}

BgpService::Impl::PendingByPeer::iterator BgpService::Impl::pendingFor(const std::string& peer) {
  return pending_.try_emplace(peer).first;
}

// A big batch for one peer (a reload, a peer coming up) is taken whole: moving 100,000
// changes one by one cost more than deciding them.
bool BgpService::Impl::adopted(std::vector<RouteChange>& changes) {
  if (changes.size() < kAdoptAbove) {
    return false;
  }
  const std::string& peer = changes.front().peer;
  const bool one_peer =
      std::ranges::all_of(changes, [&](const RouteChange& change) { return change.peer == peer; });
  if (!one_peer) {
    return false;
  }
  pendingFor(peer)->second.adopt(std::move(changes));
  changes = {};
  return true;
}

void BgpService::Impl::postFlush() {
  if (std::exchange(flush_posted_, true)) {
    return;
  }
  boost::asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_)] {
    if (alive.lock()) {
      flush();
    }
  });
}

void BgpService::Impl::flush() {
  flush_posted_ = false;
  sendPending();
  streamed_.clear();
  // The VIPs a reload removed are freed only once their withdrawals are written: posted
  // after the sessions' own posted writes, so that freeing 100,000 of them delays nothing.
  if (!speaker_.retiring()) {
    return;
  }
  boost::asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_)] {
    if (alive.lock()) {
      speaker_.releaseRetired();
    }
  });
}

void BgpService::Impl::sendPending() {
  auto pending = std::exchange(pending_, {});
  for (auto& [peer, changes] : pending) {
    flushPeer(peer, changes);
  }
}

void BgpService::Impl::flushPeer(const std::string& peer, PeerPending& pending) {
  AnnouncementGroups announcements;
  std::vector<Prefix> withdrawals;
  std::array<std::size_t, kChangeReasons> reasons{};
  const bool detailed = pending.settle() <= kDetailedLogLimit && !streamed_.contains(peer);
  const auto level = detailed ? spdlog::level::info : spdlog::level::debug;

  for (const PeerPending::Entry& entry : pending.entries) {
    const RouteChange& change = *entry.change;
    // Announced and withdrawn within the turn: the peer never heard of it.
    if (!entry.live || (!change.announce && !entry.peer_had)) {
      continue;
    }
    logChange(change, level);
    ++reasons[static_cast<std::size_t>(change.reason)];
    if (!change.announce) {
      if (withdrawals.empty()) {
        withdrawals.reserve(pending.entries.size());
      }
      withdrawals.push_back(change.prefix);
      continue;
    }
    announcements.add(change.attributes, change.prefix);
  }

  const std::size_t announced = announcements.prefixes();
  if (!detailed) {
    std::string by_reason;
    for (std::size_t reason = 0; reason < reasons.size(); ++reason) {
      if (reasons[reason] == 0) {
        continue;
      }
      by_reason += (by_reason.empty() ? "" : ",") +
                   std::string(changeReasonName(static_cast<ChangeReason>(reason))) + ":" +
                   std::to_string(reasons[reason]);
    }
    log_->info("routes sent peer={} announced={} withdrawn={} reasons={}", peer, announced,
               withdrawals.size(), by_reason);
  }
  if (Session* session = findByName(peer)) {
    session->sendRoutes(announcements.take(), withdrawals);
  }
}

void BgpService::Impl::logChange(const RouteChange& change, spdlog::level::level_enum level) {
  if (!log_->should_log(level)) {
    return;  // a burst's prefixes are not even formatted
  }
  log_->log(level, "vip {} vip={} peer={} prefix={} reason={} detail=\"{}\"",
            change.announce ? "announced" : "withdrawn", change.vip, change.peer,
            change.prefix.toString(), changeReasonName(change.reason), change.detail);
}

// Only when the earliest deadline moved: a cancel posts a completion and a wait allocates, so
// doing both on each of 100,000 setHealth() calls that leave it alone cost more than the rest.
void BgpService::Impl::rearm() {
  const auto next = speaker_.nextDeadline();
  if (next == armed_for_) {
    return;
  }
  ++timer_changes_;
  armed_for_ = next;
  const std::uint64_t generation = ++arm_generation_;
  if (!next) {
    tick_.cancel();
    return;
  }
  tick_.expires_at(*next);
  tick_.async_wait([this, generation](const boost::system::error_code& error) {
    if (error) {
      return;
    }
    if (generation == arm_generation_) {
      armed_for_.reset();
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
  flush();  // the withdrawals go before the NOTIFICATION
  // RFC 9003: tell the operator of the router why; under graceful restart close silently,
  // so that the peers keep the routes (RFC 4724 4).
  std::optional<Notification> notification;
  if (!speaker_.closeSilently()) {
    notification =
        Notification::shutdown(CeaseError::AdministrativeShutdown, settings_.shutdown_message);
  }
  listener_.close();
  tick_.cancel();
  armed_for_.reset();
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
  auto& changes = impl_->health_changes_;
  impl_->speaker_.setHealth(vip, health, std::chrono::steady_clock::now(), changes);
  impl_->applyFrom(changes);
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

std::uint64_t BgpService::timerChanges() const {
  return impl_->timer_changes_;
}

std::uint32_t BgpService::routerId() const {
  return impl_->router_id_;
}

std::vector<std::pair<IpAddress, std::uint16_t>> BgpService::listening() const {
  return impl_->listener_.endpoints();
}

}  // namespace vipd::bgp
