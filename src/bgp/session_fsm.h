// SessionFsm: the BGP finite state machine of one peer (RFC 4271 8), pure. Events go in
// (start, stop, TCP outcomes, messages, timer expiries) and actions come out (connect, send,
// close, start or stop a timer, session up or down). It never reads a clock or touches a
// socket: the transport (session.h) runs the actions and feeds the events, and a test
// drives it with a fake clock.
//
// Design. A peer has at most two TCP connections at a time, the one vipd opened (Outgoing)
// and the one the peer opened (Incoming), each with its own state from OpenSent on. Before
// any connection reaches OpenSent the peer itself is Idle, Connect or Active. state() is
// the most advanced of these. One handler per state takes an event and returns the next
// state and a typed reason (FsmReason, stable names for logs and metrics).
//
//   Idle        nothing; Start (or the idle hold timer, after an error) leaves it
//   Connect     an outgoing connection is being made; ConnectRetry runs
//   Active      waiting for the peer to connect (passive, or after a failed connect)
//   OpenSent    our OPEN is out, the peer's awaited; hold timer 4 minutes (RFC 4271 8.2.2)
//   OpenConfirm both OPENs seen, our KEEPALIVE sent, the peer's awaited
//   Established UPDATEs flow; keepalive and hold timers run
//
// What the RFCs ask and where:
//   - OPEN checks (RFC 4271 6.2): version 4, the expected peer AS (any when unset), a hold
//     time of 0 or at least 3, a non-zero BGP identifier (RFC 6286 2.1) that is not ours
//     towards an internal peer (RFC 6286 2.2).
//   - Hold time: the lower of both proposals; 0 means no keepalives and no hold timer;
//     keepalive every hold/3 (RFC 4271 4.2, 10).
//   - Connection collision (RFC 4271 6.8): when an OPEN arrives on one connection and the
//     other has seen the peer's OPEN already, the connection opened by the side with the
//     higher BGP identifier stays (equal identifiers: the higher AS, RFC 6286 2.3); the
//     other is closed with Cease / Connection Collision Resolution. A new connection while
//     Established is refused the same way.
//   - Unexpected messages: NOTIFICATION FSM error with the RFC 6608 subcode of the state.
//   - Back-off: after an error the peer stays Idle for the idle hold time, which doubles
//     up to its cap with each error and is reset by a session Established for stable_time
//     (RFC 4271 8.1.1, DampPeerOscillations).
// Every NOTIFICATION sent or received is kept as lastError().
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "bgp/capabilities.h"
#include "bgp/codec_context.h"
#include "bgp/message.h"
#include "bgp/notification.h"
#include "bgp/settings.h"

namespace vipd::bgp {

enum class SessionState : std::uint8_t {
  Idle,
  Connect,
  Active,
  OpenSent,
  OpenConfirm,
  Established
};

// "idle", "connect", "active", "open-sent", "open-confirm", "established".
std::string_view sessionStateName(SessionState state);

// Which of a peer's two connections an event or action is about.
enum class Connection : std::uint8_t { Outgoing, Incoming };
std::string_view connectionName(Connection connection);  // "outgoing", "incoming"

enum class Timer : std::uint8_t { ConnectRetry, IdleHold, Hold, Keepalive, Stable };
std::string_view timerName(Timer timer);  // "connect-retry", "idle-hold", ...

// A timer instance: Hold and Keepalive exist per connection; the others belong to the peer
// and always carry Connection::Outgoing.
struct TimerId {
  Timer timer = Timer::ConnectRetry;
  Connection connection = Connection::Outgoing;

  auto operator<=>(const TimerId&) const = default;
};

// Why the state changed.
enum class FsmReason : std::uint8_t {
  Started,
  Stopped,
  IdleHoldExpired,
  ConnectRetryExpired,
  TcpConnected,
  TcpAccepted,
  TcpFailed,
  OpenReceived,
  OpenRejected,  // our OPEN checks failed; we sent the NOTIFICATION
  KeepaliveReceived,
  HoldTimerExpired,
  NotificationReceived,
  MessageError,       // a message did not decode; we sent the NOTIFICATION
  UnexpectedMessage,  // RFC 6608
  CollisionLost,
};
// "started", "stopped", "idle-hold-expired", "connect-retry-expired", "tcp-connected",
// "tcp-accepted", "tcp-failed", "open-received", "open-rejected", "keepalive-received",
// "hold-timer-expired", "notification-received", "message-error", "unexpected-message",
// "collision-lost".
std::string_view fsmReasonName(FsmReason reason);

// --- Events ------------------------------------------------------------------------------

struct StartEvent {};
// Stop: close every connection, sending notification on those past Connect (none: close
// the TCP connection silently, as a graceful restart wants, RFC 4724 4), and stay Idle.
struct StopEvent {
  std::optional<Notification> notification;
};
struct TimerExpiredEvent {
  TimerId timer;
};
struct TcpConnectedEvent {};      // the outgoing connection is up
struct TcpConnectFailedEvent {};  // the outgoing connection could not be made
struct TcpAcceptedEvent {};       // the peer connected to us (the incoming connection)
struct TcpClosedEvent {           // the peer closed a connection, or it failed
  Connection connection = Connection::Outgoing;
};
struct OpenReceivedEvent {
  Connection connection = Connection::Outgoing;
  Open open;
};
struct KeepaliveReceivedEvent {
  Connection connection = Connection::Outgoing;
};
struct UpdateReceivedEvent {
  Connection connection = Connection::Outgoing;
};
struct RouteRefreshReceivedEvent {
  Connection connection = Connection::Outgoing;
};
struct NotificationReceivedEvent {
  Connection connection = Connection::Outgoing;
  Notification notification;
};
// A message did not decode (or a header was bad): notification is the codec's answer.
struct MessageErrorEvent {
  Connection connection = Connection::Outgoing;
  Notification notification;
  std::string reason;
};

using FsmEvent =
    std::variant<StartEvent, StopEvent, TimerExpiredEvent, TcpConnectedEvent, TcpConnectFailedEvent,
                 TcpAcceptedEvent, TcpClosedEvent, OpenReceivedEvent, KeepaliveReceivedEvent,
                 UpdateReceivedEvent, RouteRefreshReceivedEvent, NotificationReceivedEvent,
                 MessageErrorEvent>;

// --- Actions -----------------------------------------------------------------------------

struct ConnectAction {};  // open the outgoing connection
struct SendOpenAction {
  Connection connection = Connection::Outgoing;
  Open open;
};
struct SendKeepaliveAction {
  Connection connection = Connection::Outgoing;
};
// Send it, then close: a CloseAction for the same connection always follows.
struct SendNotificationAction {
  Connection connection = Connection::Outgoing;
  Notification notification;
};
struct CloseAction {  // close (or stop connecting) and forget the connection
  Connection connection = Connection::Outgoing;
};
// The connection just accepted is refused: send notification on it if any, close it, and
// leave the peer's other connections alone.
struct RefuseAction {
  std::optional<Notification> notification;
};
struct StartTimerAction {  // (re)start: a running timer of the same id is replaced
  TimerId timer;
  Seconds after{0};
};
struct StopTimerAction {
  TimerId timer;
};
// The session is Established on connection: send every route (RFC 4271 9.4), then
// End-of-RIB where graceful restart was negotiated (RFC 4724 2).
struct SessionUpAction {
  Connection connection = Connection::Outgoing;
};
// The Established session ended; the peer has dropped vipd's routes (or keeps them stale
// under graceful restart).
struct SessionDownAction {
  FsmReason reason = FsmReason::Stopped;
};
// The peer asked for every route again (RFC 2918 3).
struct RouteRefreshAction {};

using FsmAction =
    std::variant<ConnectAction, SendOpenAction, SendKeepaliveAction, SendNotificationAction,
                 CloseAction, RefuseAction, StartTimerAction, StopTimerAction, SessionUpAction,
                 SessionDownAction, RouteRefreshAction>;

// --- Results kept for `show protocols all` -------------------------------------------------

// What both OPENs agreed on (RFC 4271 4.2, RFC 5492): kept while the session is up and
// after it, until the next OPEN.
struct Negotiated {
  CodecContext codec;  // 4-octet AS, extended messages, families (negotiation.h)
  std::uint32_t peer_as = 0;
  std::uint32_t peer_id = 0;
  Seconds hold_time{0};       // 0: no hold timer
  Seconds keepalive_time{0};  // 0: no keepalives
  bool route_refresh = false;
  bool graceful_restart = false;  // both sides sent the capability
  std::optional<GracefulRestartCapability> peer_graceful_restart;
  std::vector<Capability> local_capabilities;
  std::vector<Capability> peer_capabilities;
};

struct LastError {
  enum class Direction : std::uint8_t { Sent, Received };
  Direction direction = Direction::Sent;
  Notification notification;
  std::string detail;  // why we sent it, when we did

  std::string toString() const;  // "sent cease/administrative-shutdown: ..."
};

struct FsmTransition {
  SessionState from = SessionState::Idle;
  SessionState to = SessionState::Idle;
  FsmReason reason = FsmReason::Started;
};

struct FsmOutput {
  std::vector<FsmAction> actions;
  std::optional<FsmTransition> transition;  // when state() changed
};

// The local side of every session: from SpeakerSettings and the peer's own settings.
struct FsmSettings {
  std::uint32_t local_as = 0;
  std::uint32_t router_id = 0;
  PeerSettings peer;
  GracefulRestartSettings graceful_restart;
};

class SessionFsm {
 public:
  explicit SessionFsm(FsmSettings settings);

  FsmOutput handle(const FsmEvent& event);

  SessionState state() const;
  // The state of one connection: Idle when there is none past Connect.
  SessionState connectionState(Connection connection) const { return slot(connection).state; }
  // The connection that is Established, if one is.
  std::optional<Connection> establishedConnection() const;
  const std::optional<Negotiated>& negotiated() const { return negotiated_; }
  const std::optional<LastError>& lastError() const { return last_error_; }
  // The idle hold time the next error will wait (doubles with each error).
  Seconds idleHoldTime() const { return idle_hold_; }
  const FsmSettings& settings() const { return settings_; }
  bool internal() const;  // iBGP: the expected peer AS is ours

  // The OPEN vipd sends (RFC 4271 4.2): AS_TRANS for a 4-octet local AS (RFC 6793 4.1).
  Open localOpen() const;

 private:
  struct Next {
    SessionState state;
    FsmReason reason;
  };
  struct Slot {                               // one connection from OpenSent on
    SessionState state = SessionState::Idle;  // Idle: no such connection
    std::optional<Open> peer_open;
  };

  // Peer-level handlers (no connection past Connect yet).
  Next onIdle(const FsmEvent& event);
  Next onConnect(const FsmEvent& event);
  Next onActive(const FsmEvent& event);
  // Connection-level handlers.
  Next onOpenSent(Connection connection, const FsmEvent& event);
  Next onOpenConfirm(Connection connection, const FsmEvent& event);
  Next onEstablished(Connection connection, const FsmEvent& event);

  Next dispatchPeer(const FsmEvent& event);
  void dispatchConnection(Connection connection, const FsmEvent& event);
  void acceptSecondConnection();

  // Steps shared by the handlers.
  Next openConnection(Connection connection, FsmReason reason);
  Next receiveOpen(Connection connection, const Open& open);
  Next failConnection(Connection connection, Notification notification, std::string detail,
                      FsmReason reason);
  Next dropConnection(Connection connection, FsmReason reason);
  Next notificationReceived(Connection connection, const Notification& notification);
  Next unexpected(Connection connection, FsmError subcode, const FsmEvent& event);
  Next keepConnection(Connection connection, const FsmEvent& event);
  std::optional<Notification> checkOpen(const Open& open, std::string& detail) const;
  Negotiated negotiate(const Open& open) const;
  bool resolveCollision(Connection arrived, const Open& open);
  Connection collisionWinner(const Open& open) const;
  void refuseIncoming(CeaseError subcode);
  void establish(Connection connection);
  void closeSlot(Connection connection, FsmReason reason);
  void afterLastConnectionLost(bool to_active);
  Next startConnecting(FsmReason reason);
  void stopAll(const std::optional<Notification>& notification);

  void emit(FsmAction action) { out_.actions.push_back(std::move(action)); }
  void startTimer(Timer timer, Connection connection, Seconds after);
  void stopTimer(Timer timer, Connection connection);
  void recordSent(const Notification& notification, std::string detail);
  Slot& slot(Connection connection) { return slots_[static_cast<std::size_t>(connection)]; }
  const Slot& slot(Connection connection) const {
    return slots_[static_cast<std::size_t>(connection)];
  }
  bool anySlotLive() const;

  FsmSettings settings_;
  SessionState peer_state_ = SessionState::Idle;  // Idle, Connect or Active
  std::array<Slot, 2> slots_;
  std::optional<Negotiated> negotiated_;
  std::optional<LastError> last_error_;
  Seconds idle_hold_;
  bool started_ = false;                   // between Start and Stop
  FsmReason reason_ = FsmReason::Started;  // of the last step, for the transition
  FsmOutput out_;                          // built by the call to handle() in progress
};

}  // namespace vipd::bgp
