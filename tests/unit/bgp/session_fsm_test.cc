#include "bgp/session_fsm.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace vipd::bgp {
namespace {

constexpr std::uint32_t kLocalAs = 64512;
constexpr std::uint32_t kPeerAs = 65000;
constexpr std::uint32_t kLocalId = 0x0A000002;  // 10.0.0.2
constexpr std::uint32_t kHigherId = 0x0A000009;
constexpr std::uint32_t kLowerId = 0x0A000001;

FsmSettings settings(bool passive = false) {
  FsmSettings s;
  s.local_as = kLocalAs;
  s.router_id = kLocalId;
  s.peer.name = "r1";
  s.peer.address = *IpAddress::parse("192.0.2.1");
  s.peer.peer_as = kPeerAs;
  s.peer.passive = passive;
  s.peer.hold_time = Seconds{90};
  s.peer.connect_retry_time = Seconds{120};
  s.peer.idle_hold_time = Seconds{1};
  s.peer.max_idle_hold_time = Seconds{8};
  s.peer.stable_time = Seconds{60};
  return s;
}

Open peerOpen(std::uint32_t id = kHigherId, std::uint16_t hold = 90, std::uint32_t asn = kPeerAs) {
  Open open;
  open.my_as = static_cast<std::uint16_t>(asn > 0xFFFF ? kAsTrans : asn);
  open.hold_time = hold;
  open.bgp_identifier = id;
  open.capabilities = {MultiprotocolCapability{kIpv4Unicast}, MultiprotocolCapability{kIpv6Unicast},
                       RouteRefreshCapability{}, FourOctetAsCapability{asn}};
  return open;
}

// Drives a SessionFsm with a fake clock: timers the FSM starts expire when the test
// advances the clock past their deadline, in deadline order.
class Harness {
 public:
  explicit Harness(FsmSettings s = settings()) : fsm_(std::move(s)) {}

  FsmOutput feed(const FsmEvent& event) {
    FsmOutput out = fsm_.handle(event);
    for (const FsmAction& action : out.actions) {
      if (const auto* start = std::get_if<StartTimerAction>(&action)) {
        deadlines_[start->timer] = now_ + start->after;
      } else if (const auto* stop = std::get_if<StopTimerAction>(&action)) {
        deadlines_.erase(stop->timer);
      }
      actions_.push_back(action);
    }
    if (out.transition) {
      transitions_.push_back(*out.transition);
    }
    last_ = out;
    return out;
  }

  // Moves the clock on by `by`, firing every timer that falls due on the way.
  void advance(Seconds by) {
    const Seconds until = now_ + by;
    while (true) {
      auto due = deadlines_.end();
      for (auto it = deadlines_.begin(); it != deadlines_.end(); ++it) {
        if (it->second <= until && (due == deadlines_.end() || it->second < due->second)) {
          due = it;
        }
      }
      if (due == deadlines_.end()) {
        break;
      }
      now_ = due->second;
      const TimerId id = due->first;
      deadlines_.erase(due);
      feed(TimerExpiredEvent{id});
    }
    now_ = until;
  }

  bool running(Timer timer, Connection c = Connection::Outgoing) const {
    return deadlines_.contains(TimerId{timer, c});
  }
  Seconds remaining(Timer timer, Connection c = Connection::Outgoing) const {
    return deadlines_.at(TimerId{timer, c}) - now_;
  }

  // Brings the FSM to `state` on connection c, the usual way.
  void reach(SessionState state, Connection c = Connection::Outgoing) {
    feed(StartEvent{});
    if (state == SessionState::Connect) {
      return;
    }
    if (state == SessionState::Active) {
      feed(TcpConnectFailedEvent{});
      return;
    }
    feed(c == Connection::Outgoing ? FsmEvent{TcpConnectedEvent{}} : FsmEvent{TcpAcceptedEvent{}});
    if (state == SessionState::OpenSent) {
      return;
    }
    feed(OpenReceivedEvent{c, peerOpen()});
    if (state == SessionState::OpenConfirm) {
      return;
    }
    feed(KeepaliveReceivedEvent{c});
  }

  template <typename A>
  std::vector<A> all() const {
    std::vector<A> found;
    for (const FsmAction& action : actions_) {
      if (const auto* a = std::get_if<A>(&action)) {
        found.push_back(*a);
      }
    }
    return found;
  }
  template <typename A>
  std::vector<A> inLast() const {
    std::vector<A> found;
    for (const FsmAction& action : last_.actions) {
      if (const auto* a = std::get_if<A>(&action)) {
        found.push_back(*a);
      }
    }
    return found;
  }

  SessionFsm& fsm() { return fsm_; }
  const FsmOutput& last() const { return last_; }
  void clearActions() { actions_.clear(); }

 private:
  SessionFsm fsm_;
  Seconds now_{0};
  std::map<TimerId, Seconds> deadlines_;
  std::vector<FsmAction> actions_;
  std::vector<FsmTransition> transitions_;
  FsmOutput last_;
};

// --- Every transition, table-driven ----------------------------------------------------

struct TransitionCase {
  std::string name;
  bool passive;
  std::optional<SessionState> from;  // nullopt: fresh (Idle, never started)
  Connection connection;
  std::function<FsmEvent()> event;
  SessionState to;
  std::optional<FsmReason> reason;  // of the transition; nullopt: no state change
  // The NOTIFICATION sent, as "code/subcode"; empty: none.
  std::string notification;
};

std::string sentNotification(const Harness& h) {
  const auto sent = h.inLast<SendNotificationAction>();
  if (!sent.empty()) {
    return std::to_string(sent.back().notification.code) + "/" +
           std::to_string(sent.back().notification.subcode);
  }
  const auto refused = h.inLast<RefuseAction>();
  if (!refused.empty() && refused.back().notification) {
    return std::to_string(refused.back().notification->code) + "/" +
           std::to_string(refused.back().notification->subcode);
  }
  return "";
}

const Connection kOut = Connection::Outgoing;
const Connection kIn = Connection::Incoming;

FsmEvent openWith(Connection c, std::function<void(Open&)> change) {
  Open open = peerOpen();
  change(open);
  return OpenReceivedEvent{c, open};
}

std::vector<TransitionCase> transitionCases() {
  using S = SessionState;
  using R = FsmReason;
  return {
      {"IdleStartActive", false, {}, kOut, [] { return StartEvent{}; }, S::Connect, R::Started, ""},
      {"IdleStartPassive", true, {}, kOut, [] { return StartEvent{}; }, S::Active, R::Started, ""},
      {"IdleRefusesIncoming",
       false,
       {},
       kIn,
       [] { return TcpAcceptedEvent{}; },
       S::Idle,
       {},
       "6/5"},
      {"ConnectTcpConnected", false, S::Connect, kOut, [] { return TcpConnectedEvent{}; },
       S::OpenSent, R::TcpConnected, ""},
      {"ConnectTcpFailed", false, S::Connect, kOut, [] { return TcpConnectFailedEvent{}; },
       S::Active, R::TcpFailed, ""},
      {"ConnectRetryExpiresInConnect",
       false,
       S::Connect,
       kOut,
       [] {
         return TimerExpiredEvent{{Timer::ConnectRetry, kOut}};
       },
       S::Connect,
       {},
       ""},
      {"ConnectAcceptsIncoming", false, S::Connect, kIn, [] { return TcpAcceptedEvent{}; },
       S::OpenSent, R::TcpAccepted, ""},
      {"ActiveConnectRetryExpires", false, S::Active, kOut,
       [] {
         return TimerExpiredEvent{{Timer::ConnectRetry, kOut}};
       },
       S::Connect, R::ConnectRetryExpired, ""},
      {"ActiveAcceptsIncoming", false, S::Active, kIn, [] { return TcpAcceptedEvent{}; },
       S::OpenSent, R::TcpAccepted, ""},
      {"OpenSentValidOpen", false, S::OpenSent, kOut,
       [] {
         return OpenReceivedEvent{kOut, peerOpen()};
       },
       S::OpenConfirm, R::OpenReceived, ""},
      {"OpenSentBadPeerAs", false, S::OpenSent, kOut,
       [] {
         return OpenReceivedEvent{kOut, peerOpen(kHigherId, 90, 65001)};
       },
       S::Idle, R::OpenRejected, "2/2"},
      {"OpenSentHoldTimeTwo", false, S::OpenSent, kOut,
       [] {
         return OpenReceivedEvent{kOut, peerOpen(kHigherId, 2)};
       },
       S::Idle, R::OpenRejected, "2/6"},
      {"OpenSentVersionThree", false, S::OpenSent, kOut,
       [] { return openWith(kOut, [](Open& o) { o.version = 3; }); }, S::Idle, R::OpenRejected,
       "2/1"},
      {"OpenSentZeroIdentifier", false, S::OpenSent, kOut,
       [] {
         return OpenReceivedEvent{kOut, peerOpen(0)};
       },
       S::Idle, R::OpenRejected, "2/3"},
      {"OpenSentKeepalive", false, S::OpenSent, kOut, [] { return KeepaliveReceivedEvent{kOut}; },
       S::Idle, R::UnexpectedMessage, "5/1"},
      {"OpenSentUpdate", false, S::OpenSent, kOut, [] { return UpdateReceivedEvent{kOut}; },
       S::Idle, R::UnexpectedMessage, "5/1"},
      {"OpenSentTcpClosed", false, S::OpenSent, kOut, [] { return TcpClosedEvent{kOut}; },
       S::Active, R::TcpFailed, ""},
      {"OpenSentHoldExpires", false, S::OpenSent, kOut,
       [] {
         return TimerExpiredEvent{{Timer::Hold, kOut}};
       },
       S::Idle, R::HoldTimerExpired, "4/0"},
      {"OpenSentNotification", false, S::OpenSent, kOut,
       [] {
         return NotificationReceivedEvent{kOut, Notification::of(OpenError::BadPeerAs)};
       },
       S::Idle, R::NotificationReceived, ""},
      {"OpenSentMessageError", false, S::OpenSent, kOut,
       [] {
         return MessageErrorEvent{kOut, Notification::of(HeaderError::BadMessageLength), "len"};
       },
       S::Idle, R::MessageError, "1/2"},
      {"OpenConfirmKeepalive", false, S::OpenConfirm, kOut,
       [] { return KeepaliveReceivedEvent{kOut}; }, S::Established, R::KeepaliveReceived, ""},
      {"OpenConfirmUpdate", false, S::OpenConfirm, kOut, [] { return UpdateReceivedEvent{kOut}; },
       S::Idle, R::UnexpectedMessage, "5/2"},
      {"OpenConfirmOpen", false, S::OpenConfirm, kOut,
       [] {
         return OpenReceivedEvent{kOut, peerOpen()};
       },
       S::Idle, R::UnexpectedMessage, "5/2"},
      {"OpenConfirmHoldExpires", false, S::OpenConfirm, kOut,
       [] {
         return TimerExpiredEvent{{Timer::Hold, kOut}};
       },
       S::Idle, R::HoldTimerExpired, "4/0"},
      {"OpenConfirmTcpClosed", false, S::OpenConfirm, kOut, [] { return TcpClosedEvent{kOut}; },
       S::Idle, R::TcpFailed, ""},
      {"OpenConfirmNotification", false, S::OpenConfirm, kOut,
       [] {
         return NotificationReceivedEvent{kOut, Notification::of(CeaseError::Unspecific)};
       },
       S::Idle, R::NotificationReceived, ""},
      {"OpenConfirmSendsKeepalive",
       false,
       S::OpenConfirm,
       kOut,
       [] {
         return TimerExpiredEvent{{Timer::Keepalive, kOut}};
       },
       S::OpenConfirm,
       {},
       ""},
      {"EstablishedKeepalive",
       false,
       S::Established,
       kOut,
       [] { return KeepaliveReceivedEvent{kOut}; },
       S::Established,
       {},
       ""},
      {"EstablishedUpdate",
       false,
       S::Established,
       kOut,
       [] { return UpdateReceivedEvent{kOut}; },
       S::Established,
       {},
       ""},
      {"EstablishedOpen", false, S::Established, kOut,
       [] {
         return OpenReceivedEvent{kOut, peerOpen()};
       },
       S::Idle, R::UnexpectedMessage, "5/3"},
      {"EstablishedHoldExpires", false, S::Established, kOut,
       [] {
         return TimerExpiredEvent{{Timer::Hold, kOut}};
       },
       S::Idle, R::HoldTimerExpired, "4/0"},
      {"EstablishedTcpClosed", false, S::Established, kOut, [] { return TcpClosedEvent{kOut}; },
       S::Idle, R::TcpFailed, ""},
      {"EstablishedNotification", false, S::Established, kOut,
       [] {
         return NotificationReceivedEvent{kOut, Notification::of(CeaseError::PeerDeconfigured)};
       },
       S::Idle, R::NotificationReceived, ""},
      {"EstablishedMessageError", false, S::Established, kOut,
       [] {
         return MessageErrorEvent{kOut, Notification::of(UpdateError::MalformedAttributeList),
                                  "bad"};
       },
       S::Idle, R::MessageError, "3/1"},
      {"EstablishedStop", false, S::Established, kOut,
       [] { return StopEvent{Notification::shutdown(CeaseError::AdministrativeShutdown, "bye")}; },
       S::Idle, R::Stopped, "6/2"},
      {"OpenSentStop", false, S::OpenSent, kOut,
       [] { return StopEvent{Notification::of(CeaseError::AdministrativeShutdown)}; }, S::Idle,
       R::Stopped, "6/2"},
      {"ConnectStop", false, S::Connect, kOut, [] { return StopEvent{}; }, S::Idle, R::Stopped, ""},
      {"ActivePassiveStop", true, S::Active, kOut, [] { return StopEvent{}; }, S::Idle, R::Stopped,
       ""},
      {"EstablishedIncomingRefused",
       false,
       S::Established,
       kIn,
       [] { return TcpAcceptedEvent{}; },
       S::Established,
       {},
       "6/7"},
  };
}

void PrintTo(const TransitionCase& c, std::ostream* os) {
  *os << c.name;
}

class SessionFsmTransition : public testing::TestWithParam<TransitionCase> {};

TEST_P(SessionFsmTransition, GoesToTheExpectedStateForTheReason) {
  const TransitionCase& c = GetParam();
  Harness h(settings(c.passive));
  if (c.from) {
    if (c.passive && *c.from == SessionState::Active) {
      h.feed(StartEvent{});
    } else {
      h.reach(*c.from, c.connection);
    }
    ASSERT_EQ(h.fsm().state(), *c.from);
  }

  const FsmOutput out = h.feed(c.event());

  EXPECT_EQ(h.fsm().state(), c.to);
  if (c.reason) {
    ASSERT_TRUE(out.transition);
    EXPECT_EQ(out.transition->to, c.to);
    EXPECT_EQ(fsmReasonName(out.transition->reason), fsmReasonName(*c.reason));
  } else {
    EXPECT_FALSE(out.transition);
  }
  EXPECT_EQ(sentNotification(h), c.notification);
}

INSTANTIATE_TEST_SUITE_P(Table, SessionFsmTransition, testing::ValuesIn(transitionCases()),
                         [](const auto& param_info) { return param_info.param.name; });

// --- Actions of particular transitions ------------------------------------------------

TEST(SessionFsm, StartConnectsAndArmsConnectRetry) {
  Harness h;
  h.feed(StartEvent{});
  EXPECT_EQ(h.inLast<ConnectAction>().size(), 1u);
  EXPECT_EQ(h.remaining(Timer::ConnectRetry), Seconds{120});
}

TEST(SessionFsm, PassivePeerNeverConnects) {
  Harness h(settings(true));
  h.feed(StartEvent{});
  h.advance(Seconds{1000});
  EXPECT_TRUE(h.all<ConnectAction>().empty());
  EXPECT_EQ(h.fsm().state(), SessionState::Active);
}

TEST(SessionFsm, ConnectRetryExpiryConnectsAgain) {
  Harness h;
  h.feed(StartEvent{});
  h.advance(Seconds{120});
  EXPECT_EQ(h.all<ConnectAction>().size(), 2u);
  EXPECT_EQ(h.fsm().state(), SessionState::Connect);
}

TEST(SessionFsm, FailedConnectWaitsConnectRetryInActive) {
  Harness h;
  h.reach(SessionState::Active);
  h.advance(Seconds{119});
  EXPECT_EQ(h.fsm().state(), SessionState::Active);
  h.advance(Seconds{1});
  EXPECT_EQ(h.fsm().state(), SessionState::Connect);
}

TEST(SessionFsm, TcpConnectedSendsOpenAndArmsFourMinuteHold) {
  Harness h;
  h.reach(SessionState::OpenSent);
  const auto opens = h.inLast<SendOpenAction>();
  ASSERT_EQ(opens.size(), 1u);
  EXPECT_EQ(opens[0].open.bgp_identifier, kLocalId);
  EXPECT_EQ(opens[0].open.my_as, kLocalAs);
  EXPECT_EQ(opens[0].open.hold_time, 90);
  EXPECT_EQ(h.remaining(Timer::Hold), Seconds{240});
  EXPECT_FALSE(h.running(Timer::ConnectRetry));
}

TEST(SessionFsm, OpenSentHoldTimerExpiresAfterFourMinutes) {
  Harness h;
  h.reach(SessionState::OpenSent);
  h.advance(Seconds{239});
  EXPECT_EQ(h.fsm().state(), SessionState::OpenSent);
  h.advance(Seconds{1});
  EXPECT_EQ(h.fsm().state(), SessionState::Idle);
  ASSERT_TRUE(h.fsm().lastError());
  EXPECT_EQ(h.fsm().lastError()->notification.name(), "hold-timer-expired/unspecific");
}

TEST(SessionFsm, AcceptInConnectAbandonsTheOutgoingAttempt) {
  Harness h;
  h.reach(SessionState::Connect);
  h.feed(TcpAcceptedEvent{});
  const auto closes = h.inLast<CloseAction>();
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].connection, Connection::Outgoing);
  ASSERT_EQ(h.inLast<SendOpenAction>().size(), 1u);
  EXPECT_EQ(h.inLast<SendOpenAction>()[0].connection, Connection::Incoming);
}

TEST(SessionFsm, EstablishedAnnouncesSessionUp) {
  Harness h;
  h.reach(SessionState::Established);
  EXPECT_EQ(h.inLast<SessionUpAction>().size(), 1u);
  EXPECT_EQ(h.fsm().establishedConnection(), Connection::Outgoing);
}

TEST(SessionFsm, LeavingEstablishedAnnouncesSessionDownWithTheReason) {
  Harness h;
  h.reach(SessionState::Established);
  h.feed(TcpClosedEvent{Connection::Outgoing});
  const auto downs = h.inLast<SessionDownAction>();
  ASSERT_EQ(downs.size(), 1u);
  EXPECT_EQ(downs[0].reason, FsmReason::TcpFailed);
}

TEST(SessionFsm, RouteRefreshInEstablishedAsksForTheRoutes) {
  Harness h;
  h.reach(SessionState::Established);
  h.feed(RouteRefreshReceivedEvent{Connection::Outgoing});
  EXPECT_EQ(h.inLast<RouteRefreshAction>().size(), 1u);
}

TEST(SessionFsm, StopWithoutNotificationClosesSilently) {
  Harness h;
  h.reach(SessionState::Established);
  h.feed(StopEvent{});
  EXPECT_TRUE(h.inLast<SendNotificationAction>().empty());
  EXPECT_EQ(h.inLast<CloseAction>().size(), 1u);
  h.advance(Seconds{1000});
  EXPECT_EQ(h.fsm().state(), SessionState::Idle);
  EXPECT_TRUE(h.inLast<ConnectAction>().empty());
}

TEST(SessionFsm, StartAfterStopConnectsAgain) {
  Harness h;
  h.reach(SessionState::Established);
  h.feed(StopEvent{});
  h.feed(StartEvent{});
  EXPECT_EQ(h.fsm().state(), SessionState::Connect);
}

// vipc disable protocol: the Cease goes out before the close, and the peer stays down.
TEST(SessionFsm, AdministrativeShutdownSendsTheCeaseThenClosesAndStaysIdle) {
  Harness h;
  h.reach(SessionState::Established);
  const Notification cease =
      Notification::shutdown(CeaseError::AdministrativeShutdown, "disabled by the operator");
  h.feed(StopEvent{cease});

  const auto& actions = h.last().actions;
  const auto sent = std::ranges::find_if(actions, [](const FsmAction& action) {
    return std::holds_alternative<SendNotificationAction>(action);
  });
  const auto closed = std::ranges::find_if(
      actions, [](const FsmAction& action) { return std::holds_alternative<CloseAction>(action); });
  ASSERT_NE(sent, actions.end());
  ASSERT_NE(closed, actions.end());
  EXPECT_LT(sent, closed);
  EXPECT_EQ(std::get<SendNotificationAction>(*sent).notification, cease);
  ASSERT_EQ(h.inLast<SessionDownAction>().size(), 1u);
  EXPECT_EQ(h.inLast<SessionDownAction>()[0].reason, FsmReason::Stopped);
  ASSERT_TRUE(h.fsm().lastError());
  EXPECT_EQ(h.fsm().lastError()->toString(),
            "sent cease/administrative-shutdown \"disabled by the operator\": stopped");

  h.advance(Seconds{1000});
  EXPECT_EQ(h.fsm().state(), SessionState::Idle);
  EXPECT_TRUE(h.inLast<ConnectAction>().empty());
  h.feed(TcpAcceptedEvent{});
  ASSERT_EQ(h.inLast<RefuseAction>().size(), 1u);
  EXPECT_EQ(h.fsm().state(), SessionState::Idle);
}

// vipc restart protocol: Cease / Administrative Reset, then connecting again without the
// back-off of an error.
TEST(SessionFsm, AdministrativeResetThenStartConnectsAtOnce) {
  Harness h;
  h.reach(SessionState::Established);
  h.feed(StopEvent{Notification::shutdown(CeaseError::AdministrativeReset, "restarted")});
  ASSERT_EQ(h.inLast<SendNotificationAction>().size(), 1u);
  EXPECT_EQ(h.inLast<SendNotificationAction>()[0].notification.subcode,
            static_cast<std::uint8_t>(CeaseError::AdministrativeReset));

  h.feed(StartEvent{});
  EXPECT_EQ(h.inLast<ConnectAction>().size(), 1u);
  EXPECT_EQ(h.fsm().state(), SessionState::Connect);
  EXPECT_FALSE(h.running(Timer::IdleHold));
}

TEST(SessionFsm, AdministrativeShutdownWhileConnectingSendsNothing) {
  Harness h;
  h.reach(SessionState::Connect);
  h.feed(StopEvent{Notification::shutdown(CeaseError::AdministrativeShutdown, "disabled")});
  EXPECT_TRUE(h.inLast<SendNotificationAction>().empty());
  EXPECT_EQ(h.inLast<CloseAction>().size(), 1u);
  EXPECT_FALSE(h.running(Timer::ConnectRetry));
  EXPECT_EQ(h.fsm().state(), SessionState::Idle);
}

// --- Hold time and keepalives, with the clock ------------------------------------------

TEST(SessionFsm, HoldTimeIsTheLowerProposal) {
  Harness h;
  h.reach(SessionState::OpenSent);
  h.feed(OpenReceivedEvent{Connection::Outgoing, peerOpen(kHigherId, 30)});
  ASSERT_TRUE(h.fsm().negotiated());
  EXPECT_EQ(h.fsm().negotiated()->hold_time, Seconds{30});
  EXPECT_EQ(h.fsm().negotiated()->keepalive_time, Seconds{10});
  EXPECT_EQ(h.remaining(Timer::Hold), Seconds{30});
}

TEST(SessionFsm, KeepalivesGoOutEveryThirdOfTheHoldTime) {
  Harness h;
  h.reach(SessionState::Established);
  h.clearActions();
  for (int i = 0; i < 9; ++i) {  // the peer keeps the session alive every 10 s
    h.advance(Seconds{10});
    h.feed(KeepaliveReceivedEvent{Connection::Outgoing});
  }
  EXPECT_EQ(h.all<SendKeepaliveAction>().size(), 3u);  // at 30, 60, 90 s
  EXPECT_EQ(h.fsm().state(), SessionState::Established);
}

TEST(SessionFsm, SilentPeerExpiresTheHoldTimer) {
  Harness h;
  h.reach(SessionState::Established);
  h.advance(Seconds{89});
  EXPECT_EQ(h.fsm().state(), SessionState::Established);
  h.advance(Seconds{1});
  EXPECT_EQ(h.fsm().state(), SessionState::Idle);
  EXPECT_EQ(sentNotification(h), "4/0");
}

TEST(SessionFsm, HoldTimeZeroMeansNoKeepalivesAndNoHoldTimer) {
  Harness h;
  h.reach(SessionState::OpenSent);
  h.feed(OpenReceivedEvent{Connection::Outgoing, peerOpen(kHigherId, 0)});
  h.feed(KeepaliveReceivedEvent{Connection::Outgoing});
  h.clearActions();
  h.advance(Seconds{10000});
  EXPECT_EQ(h.fsm().state(), SessionState::Established);
  EXPECT_TRUE(h.all<SendKeepaliveAction>().empty());
  EXPECT_FALSE(h.running(Timer::Hold));
}

TEST(SessionFsm, UpdatesRestartTheHoldTimer) {
  Harness h;
  h.reach(SessionState::Established);
  h.advance(Seconds{80});
  h.feed(UpdateReceivedEvent{Connection::Outgoing});
  EXPECT_EQ(h.remaining(Timer::Hold), Seconds{90});
}

// --- Back-off ---------------------------------------------------------------------------

TEST(SessionFsm, IdleHoldDoublesAfterEachErrorUpToItsCap) {
  Harness h;
  h.feed(StartEvent{});
  std::vector<long> waits;
  for (int i = 0; i < 5; ++i) {
    h.feed(TcpConnectedEvent{});
    h.feed(OpenReceivedEvent{Connection::Outgoing, peerOpen(kHigherId, 2)});  // refused
    ASSERT_EQ(h.fsm().state(), SessionState::Idle);
    waits.push_back(h.remaining(Timer::IdleHold).count());
    h.advance(h.remaining(Timer::IdleHold));
    ASSERT_EQ(h.fsm().state(), SessionState::Connect);
  }
  EXPECT_EQ(waits, (std::vector<long>{1, 2, 4, 8, 8}));
}

TEST(SessionFsm, StableSessionResetsTheBackoff) {
  Harness h;
  h.feed(StartEvent{});
  for (int i = 0; i < 3; ++i) {
    h.feed(TcpConnectedEvent{});
    h.feed(TimerExpiredEvent{{Timer::Hold, Connection::Outgoing}});
    h.advance(h.remaining(Timer::IdleHold));
  }
  EXPECT_EQ(h.fsm().idleHoldTime(), Seconds{8});

  h.feed(TcpConnectedEvent{});
  h.feed(OpenReceivedEvent{Connection::Outgoing, peerOpen()});
  h.feed(KeepaliveReceivedEvent{Connection::Outgoing});
  for (int i = 0; i < 7; ++i) {
    h.advance(Seconds{10});
    h.feed(KeepaliveReceivedEvent{Connection::Outgoing});
  }
  EXPECT_EQ(h.fsm().idleHoldTime(), Seconds{1});
}

TEST(SessionFsm, ShortSessionKeepsTheBackoff) {
  Harness h;
  h.feed(StartEvent{});
  h.feed(TcpConnectedEvent{});
  h.feed(TimerExpiredEvent{{Timer::Hold, Connection::Outgoing}});
  h.advance(h.remaining(Timer::IdleHold));
  h.reach(SessionState::Established);
  h.advance(Seconds{30});
  h.feed(TcpClosedEvent{Connection::Outgoing});
  EXPECT_EQ(h.remaining(Timer::IdleHold), Seconds{2});
}

TEST(SessionFsm, IdleRefusesConnectionsDuringTheBackoff) {
  Harness h;
  h.reach(SessionState::Established);
  h.feed(TcpClosedEvent{Connection::Outgoing});
  h.feed(TcpAcceptedEvent{});
  EXPECT_EQ(h.inLast<RefuseAction>().size(), 1u);
  EXPECT_EQ(h.fsm().state(), SessionState::Idle);
}

// --- Connection collision (RFC 4271 6.8) -----------------------------------------------

struct CollisionCase {
  std::string name;
  std::uint32_t peer_id;
  std::uint32_t peer_as;
  Connection survivor;
};

void PrintTo(const CollisionCase& c, std::ostream* os) {
  *os << c.name;
}

class SessionFsmCollision : public testing::TestWithParam<CollisionCase> {};

TEST_P(SessionFsmCollision, KeepsTheConnectionOpenedByTheHigherIdentifier) {
  const CollisionCase& c = GetParam();
  FsmSettings s = settings();
  s.peer.peer_as.reset();
  Harness h(s);
  h.reach(SessionState::OpenSent, Connection::Outgoing);
  h.feed(TcpAcceptedEvent{});
  ASSERT_EQ(h.inLast<SendOpenAction>().size(), 1u);

  h.feed(OpenReceivedEvent{Connection::Outgoing, peerOpen(c.peer_id, 90, c.peer_as)});
  EXPECT_EQ(h.fsm().state(), SessionState::OpenConfirm);
  h.feed(OpenReceivedEvent{Connection::Incoming, peerOpen(c.peer_id, 90, c.peer_as)});

  const Connection loser =
      c.survivor == Connection::Outgoing ? Connection::Incoming : Connection::Outgoing;
  const auto sent = h.inLast<SendNotificationAction>();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].connection, loser);
  EXPECT_EQ(sent[0].notification.name(), "cease/connection-collision-resolution");
  EXPECT_EQ(h.fsm().state(), SessionState::OpenConfirm);

  h.feed(KeepaliveReceivedEvent{c.survivor});
  EXPECT_EQ(h.fsm().establishedConnection(), c.survivor);
}

INSTANTIATE_TEST_SUITE_P(
    Table, SessionFsmCollision,
    testing::Values(CollisionCase{"PeerHigher", kHigherId, kPeerAs, Connection::Incoming},
                    CollisionCase{"PeerLower", kLowerId, kPeerAs, Connection::Outgoing},
                    CollisionCase{"SameIdPeerAsHigher", kLocalId, 65000, Connection::Incoming},
                    CollisionCase{"SameIdPeerAsLower", kLocalId, 64500, Connection::Outgoing}),
    [](const auto& param_info) { return param_info.param.name; });

TEST(SessionFsm, LosingTheCollisionKeepsTheOtherConnection) {
  Harness h;
  h.reach(SessionState::OpenSent, Connection::Outgoing);
  h.feed(TcpAcceptedEvent{});
  h.feed(TcpClosedEvent{Connection::Incoming});
  EXPECT_EQ(h.fsm().state(), SessionState::OpenSent);
  EXPECT_FALSE(h.running(Timer::IdleHold));
}

TEST(SessionFsm, ThirdConnectionIsRefused) {
  Harness h;
  h.reach(SessionState::OpenSent, Connection::Outgoing);
  h.feed(TcpAcceptedEvent{});
  h.feed(TcpAcceptedEvent{});
  ASSERT_EQ(h.inLast<RefuseAction>().size(), 1u);
  EXPECT_EQ(h.inLast<RefuseAction>()[0].notification->name(), "cease/connection-rejected");
}

// --- OPEN checks and negotiation --------------------------------------------------------

TEST(SessionFsm, AnyPeerAsIsAcceptedWhenNoneIsConfigured) {
  FsmSettings s = settings();
  s.peer.peer_as.reset();
  Harness h(s);
  h.reach(SessionState::OpenSent);
  h.feed(OpenReceivedEvent{Connection::Outgoing, peerOpen(kHigherId, 90, 4200000001)});
  EXPECT_EQ(h.fsm().state(), SessionState::OpenConfirm);
  EXPECT_EQ(h.fsm().negotiated()->peer_as, 4200000001u);
  EXPECT_FALSE(h.fsm().internal());
}

TEST(SessionFsm, InternalPeerWithOurIdentifierIsRefused) {
  FsmSettings s = settings();
  s.peer.peer_as = kLocalAs;
  Harness h(s);
  h.reach(SessionState::OpenSent);
  h.feed(OpenReceivedEvent{Connection::Outgoing, peerOpen(kLocalId, 90, kLocalAs)});
  EXPECT_EQ(sentNotification(h), "2/3");
}

TEST(SessionFsm, CapabilitiesOfBothSidesAreNegotiated) {
  FsmSettings s = settings();
  s.graceful_restart.enabled = true;
  s.peer.extended_messages = true;
  Harness h(s);
  h.reach(SessionState::OpenSent);
  Open open = peerOpen();
  open.capabilities.push_back(ExtendedMessageCapability{});
  open.capabilities.push_back(GracefulRestartCapability{false, false, 120, {}});
  h.feed(OpenReceivedEvent{Connection::Outgoing, open});

  const Negotiated& n = *h.fsm().negotiated();
  EXPECT_TRUE(n.codec.four_octet_as);
  EXPECT_TRUE(n.codec.ipv4_unicast);
  EXPECT_TRUE(n.codec.ipv6_unicast);
  EXPECT_TRUE(n.route_refresh);
  EXPECT_TRUE(n.graceful_restart);
  EXPECT_EQ(n.peer_capabilities.size(), 6u);
  EXPECT_NE(findCapability<GracefulRestartCapability>(n.local_capabilities), nullptr);
  EXPECT_TRUE(n.codec.extended_messages);
}

TEST(SessionFsm, PeerWithoutMultiprotocolSpeaksIpv4Alone) {
  Harness h;
  h.reach(SessionState::OpenSent);
  Open open = peerOpen();
  open.capabilities = {};
  h.feed(OpenReceivedEvent{Connection::Outgoing, open});
  const Negotiated& n = *h.fsm().negotiated();
  EXPECT_TRUE(n.codec.ipv4_unicast);
  EXPECT_FALSE(n.codec.ipv6_unicast);
  EXPECT_FALSE(n.codec.four_octet_as);
  EXPECT_FALSE(n.route_refresh);
  EXPECT_EQ(n.codec.asWidth(), AsWidth::Two);
}

TEST(SessionFsm, FourOctetLocalAsGoesAsAsTrans) {
  FsmSettings s = settings();
  s.local_as = 4200000001;
  const Open open = SessionFsm(s).localOpen();
  EXPECT_EQ(open.my_as, kAsTrans);
  ASSERT_NE(findCapability<FourOctetAsCapability>(open.capabilities), nullptr);
  EXPECT_EQ(findCapability<FourOctetAsCapability>(open.capabilities)->asn, 4200000001u);
}

TEST(SessionFsm, GracefulRestartCapabilityCarriesTheRestartState) {
  FsmSettings s = settings();
  s.graceful_restart.enabled = true;
  s.graceful_restart.restart_time = Seconds{5000};
  s.graceful_restart.restarting = true;
  const Open open = SessionFsm(s).localOpen();
  const auto* restart = findCapability<GracefulRestartCapability>(open.capabilities);
  ASSERT_NE(restart, nullptr);
  EXPECT_TRUE(restart->restarted);
  EXPECT_EQ(restart->restart_time, GracefulRestartCapability::kMaxRestartTime);
  ASSERT_EQ(restart->families.size(), 2u);
  EXPECT_TRUE(restart->families[0].forwarding_preserved);
}

TEST(SessionFsm, NoGracefulRestartCapabilityUnlessEnabled) {
  const Open open = SessionFsm(settings()).localOpen();
  EXPECT_EQ(findCapability<GracefulRestartCapability>(open.capabilities), nullptr);
}

TEST(SessionFsm, UnsupportedVersionAnswersWithOurVersion) {
  Harness h;
  h.reach(SessionState::OpenSent);
  h.feed(openWith(Connection::Outgoing, [](Open& o) { o.version = 5; }));
  const auto sent = h.inLast<SendNotificationAction>();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].notification.data, (std::vector<std::uint8_t>{0, 4}));
}

TEST(SessionFsm, ReceivedNotificationIsTheLastError) {
  Harness h;
  h.reach(SessionState::Established);
  h.feed(NotificationReceivedEvent{
      Connection::Outgoing, Notification::shutdown(CeaseError::AdministrativeShutdown, "maint")});
  ASSERT_TRUE(h.fsm().lastError());
  EXPECT_EQ(h.fsm().lastError()->direction, LastError::Direction::Received);
  EXPECT_EQ(h.fsm().lastError()->toString(), "received cease/administrative-shutdown \"maint\"");
}

TEST(SessionFsm, SentNotificationIsTheLastErrorWithItsDetail) {
  Harness h;
  h.reach(SessionState::OpenSent);
  h.feed(OpenReceivedEvent{Connection::Outgoing, peerOpen(kHigherId, 90, 65001)});
  ASSERT_TRUE(h.fsm().lastError());
  EXPECT_EQ(
      h.fsm().lastError()->toString(),
      "sent open-message-error/bad-peer-as: open: peer AS 65001, expected 65000 (RFC 4271 6.2)");
}

TEST(SessionFsm, StaleTimersAreIgnored) {
  Harness h;
  h.reach(SessionState::Established);
  const FsmOutput out = h.feed(TimerExpiredEvent{{Timer::Hold, Connection::Incoming}});
  EXPECT_TRUE(out.actions.empty());
  h.feed(TimerExpiredEvent{{Timer::ConnectRetry, Connection::Outgoing}});
  EXPECT_EQ(h.fsm().state(), SessionState::Established);
}

}  // namespace
}  // namespace vipd::bgp
