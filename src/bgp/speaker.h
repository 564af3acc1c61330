// Speaker: what each peer is told about each VIP, decided from the VIPs' health. Pure: no
// sockets, no clock (each call takes `now`), no logging; every call returns the route
// changes it decided (a long one hands them over in parts as it goes, see streamChanges()),
// each with a typed reason and a detail that names the service that fell below its minimum
// and by how much. The caller (bgp_service.h) logs, counts and sends them. bgp knows nothing
// of servers: its input is VipHealth, a few numbers per service.
//
// A VIP is healthy when every service on it (HealthRule::AnyService: at least one) is
// programmed in IPVS and has at least its minimum of servers up and enabled, a count or a
// percentage of its servers, never fewer than one. Its life:
//
//   before startupDone()     nothing is announced, health is only recorded
//   startupDone()            the healthy VIPs are announced at once, the others stay withdrawn
//   healthy -> unhealthy     withdrawn, after withdraw_delay if one is set (a recovery
//                            within the delay cancels it)
//   unhealthy -> healthy     announced again after hold_down (anti-flap); falling ill again
//                            within it cancels the announcement
//
// What a peer gets is a desired table (prefix -> attributes) computed from the VIPs, the
// peer's settings and its session (internal or external, local addresses, families), and
// compared with what it was sent: only the difference goes out. Attributes (RFC 4271 5.1):
// ORIGIN IGP; AS_PATH the configured path with the local AS first towards external peers
// (RFC 4271 5.1.2), without it towards internal ones; NEXT_HOP (or the MP_REACH_NLRI next
// hop, RFC 4760) the configured one, else the session's local address of the family;
// MULTI_EXIT_DISC; LOCAL_PREF towards internal peers only (RFC 4271 5.1.5); COMMUNITIES and
// LARGE_COMMUNITY. A VIP's single values win over the peer's, which win over the global
// ones; lists are joined, global first. A prefix with no next hop for a peer (an IPv4 VIP
// over an IPv6 session without a configured IPv4 next hop) is not sent to it.
//
// Drain (RFC 8326): every announced VIP is re-announced with GRACEFUL_SHUTDOWN (and
// LOCAL_PREF 0 towards internal peers) for drain_time, then withdrawn; sessions stay up;
// undrain() announces normally again. stop(): with graceful restart (RFC 4724) nothing is
// withdrawn and sessions may close at once; otherwise (after a drain, if drain_on_stop)
// everything is withdrawn, then stopComplete() says the sessions may close.
//
// Operator hold (`vipc withdraw vip`): a held VIP is withdrawn from every peer at once (no
// withdraw delay), whatever its health, drain or peers coming up, until released (`vipc
// announce vip`). Its health is followed all along, so that the release finds it where
// health alone would have it: healthy throughout, it is announced at once (the hold-down is
// for health that flapped, and it did not); recovered during the hold, it waits what is left
// of its hold-down; unhealthy, it stays withdrawn. A release during a drain announces with
// GRACEFUL_SHUTDOWN, after it nothing until undrain. Holds survive reloads.
#pragma once

#include <array>
#include <boost/unordered/unordered_flat_map.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "bgp/attribute_interner.h"
#include "bgp/path_attributes.h"
#include "bgp/prefix.h"
#include "bgp/settings.h"
#include "common/ip_address.h"

namespace vipd::bgp {

// One service's health numbers, as the pool sees them.
struct ServiceHealth {
  std::string service;           // its name, for the reason of a withdrawal
  std::uint32_t servers = 0;     // every server of the service
  std::uint32_t up_enabled = 0;  // those up and enabled
  bool programmed = false;       // its IPVS service and destinations are in the kernel

  bool operator==(const ServiceHealth&) const = default;
};

struct VipHealth {
  std::vector<ServiceHealth> services;

  bool operator==(const VipHealth&) const = default;
};

struct MinHealthy {
  enum class Kind : std::uint8_t { Count, Percent };
  Kind kind = Kind::Count;
  std::uint32_t value = 1;

  bool operator==(const MinHealthy&) const = default;
};

enum class HealthRule : std::uint8_t { EveryService, AnyService };

struct VipPolicy {
  std::string name;              // the VIP as logged: its address, or the fwmark service
  std::vector<Prefix> prefixes;  // the VIP's /32 or /128; a fwmark service's configured ones
  HealthRule rule = HealthRule::EveryService;
  MinHealthy min_healthy;
  RouteAttributes attributes;      // this VIP's own
  std::vector<std::string> peers;  // the peers (by name) told about it; empty: every peer
  bool announce = true;            // false: never announced (PyBal's per-service bgp = no)

  bool operator==(const VipPolicy&) const = default;
};

// What a peer's session is like, from the session once Established.
struct PeerSession {
  bool internal = false;
  std::optional<IpAddress> local_ipv4;  // the session's local address of each family
  std::optional<IpAddress> local_ipv6;
  bool ipv4_unicast = true;  // negotiated families (RFC 4760)
  bool ipv6_unicast = false;
};

enum class ChangeReason : std::uint8_t {
  StartupHealthy,   // start-up done, the VIP is healthy
  Recovered,        // healthy again for the whole hold-down
  Unhealthy,        // a service fell below its minimum (after the withdraw delay)
  PeerUp,           // a session came up: it gets every announced VIP
  Drain,            // re-announced with GRACEFUL_SHUTDOWN
  Drained,          // the drain time is over
  Undrain,          // announced normally again
  Stop,             // vipd is stopping
  Removed,          // the VIP left the configuration
  Configured,       // the configuration changed what is announced or how
  OperatorHold,     // withdrawn by an operator's hold (vipc withdraw vip)
  OperatorRelease,  // announced again when the operator released the hold (vipc announce vip)
};
inline constexpr std::size_t kChangeReasons = 12;
static_assert(static_cast<std::size_t>(ChangeReason::OperatorRelease) + 1 == kChangeReasons);
// "startup-healthy", "recovered", "unhealthy", "peer-up", "drain", "drained", "undrain",
// "stop", "removed", "configured", "operator-hold", "operator-release".
std::string_view changeReasonName(ChangeReason reason);

struct RouteChange {
  std::string peer;
  std::string vip;
  Prefix prefix;
  bool announce = false;        // false: withdraw
  SharedAttributes attributes;  // with announce (interned: equal sets share one pointer)
  ChangeReason reason = ChangeReason::Configured;
  std::string detail;  // "service=web-https up=1 needed=2 short=1"
  // With announce: the peer already had the prefix (with other attributes). A caller that
  // coalesces changes needs it to tell whether a later withdraw must still be sent.
  bool replaces = false;
};

struct SpeakerCounters {
  std::uint64_t announced = 0;
  std::uint64_t withdrawn = 0;
  std::array<std::uint64_t, kChangeReasons> by_reason{};  // indexed by ChangeReason

  std::uint64_t changes(ChangeReason reason) const {
    return by_reason[static_cast<std::size_t>(reason)];
  }
};

// One row of `show route`: one prefix of a VIP as one of the peers it is meant for has it
// from us, and why.
struct RouteStatus {
  std::string vip;
  std::string prefix;  // "192.0.2.10/32"
  std::string peer;
  bool announced = false;  // the peer holds it from us now
  // The VIP's state: "announced", "withdrawn", "hold-down", "withdraw-delay", "draining".
  // A hold, the end of a drain, a stop or start-up not done yet make it "withdrawn".
  std::string state;
  // In words: "service=web up=0 needed=1 short=1", "operator hold ...", "session with r1
  // not established", "healthy again (healthy=1/1), announced in 4 s".
  std::string reason;
  // The VIP's last change (health, hold, drain); the epoch before its first health report.
  std::chrono::system_clock::time_point since;
  // The attributes as sent to this peer, while announced.
  std::optional<IpAddress> next_hop;   // NEXT_HOP, or MP_REACH_NLRI's next hop
  std::vector<std::uint32_t> as_path;  // with the local AS and its prepends towards eBGP
  std::optional<std::uint32_t> med;
  std::optional<std::uint32_t> local_pref;  // iBGP only
  std::vector<Community> communities;
  std::vector<LargeCommunity> large_communities;
  bool operator_hold = false;  // vipc withdraw vip
};

// The health evaluation of one VIP: healthy or not, and why.
struct VipVerdict {
  bool healthy = false;
  std::string detail;
};
VipVerdict evaluateVip(const VipPolicy& policy, const VipHealth& health);
// The same into verdict, reusing its detail's memory.
void evaluateVip(const VipPolicy& policy, const VipHealth& health, VipVerdict& verdict);

class Speaker {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  enum class VipState : std::uint8_t { Withdrawn, HoldDown, Announced, WithdrawDelay };
  enum class Mode : std::uint8_t { Normal, Draining, Drained, Stopping, Stopped };

  Speaker(SpeakerSettings settings, std::vector<VipPolicy> vips,
          RouteAttributes global_attributes = {});
  // Indexes point into its own maps: a copy would point into the original's.
  Speaker(const Speaker&) = delete;
  Speaker& operator=(const Speaker&) = delete;
  Speaker(Speaker&&) = default;
  Speaker& operator=(Speaker&&) = default;

  // A long decision (start-up, a reload, a drain, a peer coming up) hands its changes over
  // in parts, in order, as it decides them, instead of returning them all at its end: the
  // caller can send the first UPDATEs while the rest is being decided. The first part holds
  // first_part changes, each next one twice as many, up to kStreamedPartGrowth times
  // first_part; the call returns what is left. The stream may take the part's changes (it is
  // cleared after); it must not call the speaker. Without a stream, calls return everything.
  using ChangeStream = std::function<void(std::vector<RouteChange>& part)>;
  static constexpr std::size_t kStreamedPartGrowth = 32;
  void streamChanges(ChangeStream stream, std::size_t first_part);

  // The health of a VIP changed (an unknown VIP is ignored).
  std::vector<RouteChange> setHealth(std::string_view vip, const VipHealth& health, TimePoint now);
  // The same, appending to out: a caller that reuses out allocates nothing per call.
  void setHealth(std::string_view vip, const VipHealth& health, TimePoint now,
                 std::vector<RouteChange>& out);
  // The daemon's first IPVS reconcile is done and every service has its first verdicts.
  std::vector<RouteChange> startupDone(TimePoint now);
  // Reload: the VIPs now configured. New ones start withdrawn (and wait for their health);
  // removed ones are withdrawn; changed attributes are re-announced.
  std::vector<RouteChange> setVips(std::vector<VipPolicy> vips, TimePoint now);
  // Frees the VIPs the last setVips() removed. They are kept until then so that a caller can
  // send their withdrawals first: freeing 100,000 VIPs takes longer than deciding to withdraw
  // them. The next setVips() frees them too.
  void releaseRetired();
  bool retiring() const { return !retired_.empty(); }

  // A peer's session is Established: it gets the whole announced table.
  std::vector<RouteChange> peerUp(std::string_view peer, const PeerSession& session);
  // A peer's session is down: it has nothing of ours any more.
  void peerDown(std::string_view peer);
  // Everything the peer was sent, as announcements: for a ROUTE-REFRESH (RFC 2918 3).
  std::vector<RouteChange> table(std::string_view peer) const;

  // Fires the hold-downs, withdraw delays and drain that are due.
  std::vector<RouteChange> tick(TimePoint now);
  // When tick() next has something to do.
  std::optional<TimePoint> nextDeadline() const;

  std::vector<RouteChange> drain(TimePoint now);
  std::vector<RouteChange> undrain(TimePoint now);
  std::vector<RouteChange> stop(TimePoint now);

  // Holds (held) or releases an operator's hold on a VIP; an unknown VIP, or a hold that is
  // already as asked, changes nothing.
  std::vector<RouteChange> setOperatorHold(std::string_view vip, bool held, TimePoint now);
  bool operatorHold(std::string_view vip) const;
  // The name of the VIP that text names: its name, or one of its prefixes ("192.0.2.10" is
  // also 192.0.2.10/32); nullopt when none.
  std::optional<std::string> resolveVip(std::string_view text) const;
  // "announced: healthy=1/1", "hold-down: healthy again (healthy=1/1), announced in 4 s":
  // the VIP's state and reason as routes() has them, for a command's reply.
  std::string describeVip(std::string_view vip, TimePoint now) const;

  // Every VIP's prefixes towards every peer meant to have them, for `show route`. wall_now is
  // the system clock at now: it dates the changes.
  std::vector<RouteStatus> routes(TimePoint now,
                                  std::chrono::system_clock::time_point wall_now) const;
  // After stop(): the sessions may close (with Cease, or silently under graceful restart).
  bool stopComplete() const { return mode_ == Mode::Stopped; }
  bool closeSilently() const { return settings_.graceful_restart.enabled; }

  Mode mode() const { return mode_; }
  std::optional<VipState> vipState(std::string_view vip) const;
  const SpeakerCounters& counters() const { return counters_; }

 private:
  struct Vip {
    VipPolicy policy;
    VipHealth health;
    VipVerdict verdict;
    VipState state = VipState::Withdrawn;
    std::optional<TimePoint> deadline;  // of HoldDown and WithdrawDelay
    ChangeReason reason = ChangeReason::Configured;
    std::string detail;
    bool held = false;                 // an operator's hold
    std::optional<TimePoint> changed;  // of the last change of state or hold
  };
  // A prefix as a peer holds it from us: its attributes and the VIP (by name: reloads
  // rebuild vips_) it was sent for.
  struct SentRoute {
    SharedAttributes attributes;
    std::string vip;
  };
  // Hash tables: a bulk change looks up a prefix hundreds of thousands of times.
  using SentTable = boost::unordered_flat_map<Prefix, SentRoute, PrefixHash>;
  struct Peer {
    PeerSession session;
    SentTable sent;
  };
  // The VIPs that list a prefix, in vips_'s order; nearly always one, kept without a vector.
  struct Claimants {
    const Vip* first = nullptr;
    std::vector<const Vip*> others;
  };
  // A prefix as a peer is to have it: the VIP it comes from, and its attributes.
  using Route = std::pair<const Vip*, SharedAttributes>;
  // By prefix, one route each: built whole for a peer, then walked beside what it was sent.
  using Table = std::vector<std::pair<Prefix, Route>>;
  // What attributesFor() answers depends on, with the answer: VIPs that share these share
  // the attributes, computed once.
  struct AttributeRecipe {
    const PeerSettings* peer_settings = nullptr;
    bool v4 = true;
    bool internal = false;
    bool draining = false;
    std::optional<IpAddress> session_next_hop;
    RouteAttributes vip;
    SharedAttributes attributes;
  };

  void applyVerdict(Vip& vip, TimePoint now);
  void reconfigure(Vip& vip, TimePoint now);
  void enter(Vip& vip, VipState state, ChangeReason reason, TimePoint now,
             std::optional<TimePoint> deadline);
  bool announcing(const Vip& vip) const;
  Table desiredTable(const std::string& peer_name, const Peer& peer) const;
  std::optional<Route> desiredRoute(const std::string& peer_name, const PeerSettings* settings,
                                    const Peer& peer, const Prefix& prefix) const;
  SharedAttributes routeFrom(const Vip& vip, const std::string& peer_name,
                             const PeerSettings* settings, const Peer& peer,
                             const Prefix& prefix) const;
  // Null when the prefix has no next hop towards the peer.
  SharedAttributes attributesFor(const Vip& vip, const PeerSettings* peer_settings,
                                 const Peer& peer, const Prefix& prefix) const;
  std::optional<PathAttributes> buildAttributes(const Vip& vip, const PeerSettings* peer_settings,
                                                const Peer& peer, const Prefix& prefix) const;
  std::vector<RouteChange> sync(std::optional<ChangeReason> reason);
  void syncPeer(const std::string& name, Peer& peer, std::optional<ChangeReason> reason,
                std::vector<RouteChange>& out);
  void withdrawUnwanted(const std::string& name, Peer& peer, const Table& desired,
                        std::optional<ChangeReason> reason, std::vector<RouteChange>& out);
  // Hands out to the stream once it holds the next part.
  void handOver(std::vector<RouteChange>& out);
  void syncVip(const Vip& vip, std::vector<RouteChange>& out);
  // Every peer's route of each prefix against what it is to have now.
  void syncPrefixes(const std::vector<Prefix>& prefixes, std::vector<RouteChange>& out,
                    const Vip* likely_owner = nullptr);
  // likely_owner: the VIP the caller expects the peer's route to be from, if it knows.
  void syncPrefix(const std::string& name, Peer& peer, const Prefix& prefix, const Route* desired,
                  std::optional<ChangeReason> reason, std::vector<RouteChange>& out,
                  const Vip* likely_owner = nullptr);
  void withdrawSent(const std::string& name, const Prefix& prefix, std::string vip_name,
                    std::optional<ChangeReason> reason, std::vector<RouteChange>& out,
                    const Vip* likely_owner);
  // A change's reason and detail: the speaker's (reason), else the VIP's (removed without one).
  static ChangeReason because(const Vip* vip, std::optional<ChangeReason> reason);
  static std::string detailOf(const Vip* vip, std::optional<ChangeReason> reason);
  void indexVips();
  void count(const RouteChange& change);
  std::string routeState(const Vip& vip) const;
  std::string vipReason(const Vip& vip, TimePoint now) const;
  std::string unsentReason(const Vip& vip, const std::string& peer_name,
                           const Prefix& prefix) const;
  RouteStatus vipRow(const std::string& name, const Vip& vip, TimePoint now,
                     std::chrono::system_clock::time_point wall_now) const;
  void fillPeerColumns(const Vip& vip, const std::string& peer_name, const Prefix& prefix,
                       RouteStatus& row) const;
  const PeerSettings* peerSettings(std::string_view name) const;
  Vip* findVip(std::string_view name);

  using VipMap = std::map<std::string, Vip, std::less<>>;
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view name) const noexcept {
      return std::hash<std::string_view>{}(name);
    }
  };

  SpeakerSettings settings_;
  RouteAttributes global_;
  VipMap vips_;
  VipMap retired_;  // removed by the last setVips(), until releaseRetired()
  std::map<std::string, Peer, std::less<>> peers_;  // those with an Established session
  // Indexes into vips_ (rebuilt by indexVips() when vips_ is), so that one VIP's change costs
  // the same whatever the VIP count: the VIPs by name (keyed by copies of the names, so that
  // a lookup reads nothing else); the VIPs that list each prefix, in vips_'s order (the first
  // one announcing it wins); and the pending deadlines of HoldDown and WithdrawDelay.
  boost::unordered_flat_map<std::string, Vip*, NameHash, std::equal_to<>> by_name_;
  boost::unordered_flat_map<Prefix, Claimants, PrefixHash> claims_;
  std::set<std::pair<TimePoint, Vip*>> deadlines_;
  bool started_ = false;
  Mode mode_ = Mode::Normal;
  std::optional<TimePoint> mode_deadline_;  // end of a drain
  std::optional<TimePoint> mode_changed_;   // of the last drain, undrain or stop
  SpeakerCounters counters_;
  ChangeStream stream_;
  std::size_t first_part_ = 0;
  std::size_t next_part_ = 0;  // of the decision under way
  // attributesFor()'s memory: a few recipes (more are forgotten at once), and the interned
  // sets they and the peers' tables point to.
  mutable std::vector<AttributeRecipe> recipes_;
  mutable AttributeInterner interner_;
};

std::string_view vipStateName(Speaker::VipState state);  // "withdrawn", "hold-down", ...

}  // namespace vipd::bgp
