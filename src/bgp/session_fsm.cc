#include "bgp/session_fsm.h"

#include <algorithm>
#include <utility>

#include "bgp/as_path.h"
#include "bgp/negotiation.h"
#include "bgp/open_checks.h"

namespace vipd::bgp {
namespace {

// RFC 4271 8.2.2: the hold timer while waiting for the peer's OPEN, "a large value".
constexpr Seconds kOpenSentHoldTime{240};

template <typename... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};

// The connection an event is about, for events that are about one.
std::optional<Connection> connectionOf(const FsmEvent& event) {
  return std::visit(
      Overloaded{
          [](const TimerExpiredEvent& e) -> std::optional<Connection> {
            const Timer timer = e.timer.timer;
            if (timer == Timer::Hold || timer == Timer::Keepalive) {
              return e.timer.connection;
            }
            return std::nullopt;
          },
          [](const TcpClosedEvent& e) -> std::optional<Connection> { return e.connection; },
          [](const OpenReceivedEvent& e) -> std::optional<Connection> { return e.connection; },
          [](const KeepaliveReceivedEvent& e) -> std::optional<Connection> { return e.connection; },
          [](const UpdateReceivedEvent& e) -> std::optional<Connection> { return e.connection; },
          [](const RouteRefreshReceivedEvent& e) -> std::optional<Connection> {
            return e.connection;
          },
          [](const NotificationReceivedEvent& e) -> std::optional<Connection> {
            return e.connection;
          },
          [](const MessageErrorEvent& e) -> std::optional<Connection> { return e.connection; },
          [](const auto&) -> std::optional<Connection> { return std::nullopt; },
      },
      event);
}

bool isTimer(const FsmEvent& event, Timer timer) {
  const auto* expired = std::get_if<TimerExpiredEvent>(&event);
  return expired != nullptr && expired->timer.timer == timer;
}

std::string_view eventMessageName(const FsmEvent& event) {
  if (std::holds_alternative<KeepaliveReceivedEvent>(event)) {
    return "keepalive";
  }
  if (std::holds_alternative<UpdateReceivedEvent>(event)) {
    return "update";
  }
  if (std::holds_alternative<RouteRefreshReceivedEvent>(event)) {
    return "route-refresh";
  }
  return "open";
}

Connection other(Connection connection) {
  return connection == Connection::Outgoing ? Connection::Incoming : Connection::Outgoing;
}

}  // namespace

std::string_view sessionStateName(SessionState state) {
  switch (state) {
    case SessionState::Idle:
      return "idle";
    case SessionState::Connect:
      return "connect";
    case SessionState::Active:
      return "active";
    case SessionState::OpenSent:
      return "open-sent";
    case SessionState::OpenConfirm:
      return "open-confirm";
    case SessionState::Established:
      return "established";
  }
  return "unknown";
}

std::string_view connectionName(Connection connection) {
  return connection == Connection::Outgoing ? "outgoing" : "incoming";
}

std::string_view timerName(Timer timer) {
  switch (timer) {
    case Timer::ConnectRetry:
      return "connect-retry";
    case Timer::IdleHold:
      return "idle-hold";
    case Timer::Hold:
      return "hold";
    case Timer::Keepalive:
      return "keepalive";
    case Timer::Stable:
      return "stable";
  }
  return "unknown";
}

std::string_view fsmReasonName(FsmReason reason) {
  switch (reason) {
    case FsmReason::Started:
      return "started";
    case FsmReason::Stopped:
      return "stopped";
    case FsmReason::IdleHoldExpired:
      return "idle-hold-expired";
    case FsmReason::ConnectRetryExpired:
      return "connect-retry-expired";
    case FsmReason::TcpConnected:
      return "tcp-connected";
    case FsmReason::TcpAccepted:
      return "tcp-accepted";
    case FsmReason::TcpFailed:
      return "tcp-failed";
    case FsmReason::OpenReceived:
      return "open-received";
    case FsmReason::OpenRejected:
      return "open-rejected";
    case FsmReason::KeepaliveReceived:
      return "keepalive-received";
    case FsmReason::HoldTimerExpired:
      return "hold-timer-expired";
    case FsmReason::NotificationReceived:
      return "notification-received";
    case FsmReason::MessageError:
      return "message-error";
    case FsmReason::UnexpectedMessage:
      return "unexpected-message";
    case FsmReason::CollisionLost:
      return "collision-lost";
  }
  return "unknown";
}

std::string LastError::toString() const {
  std::string text = direction == Direction::Sent ? "sent " : "received ";
  text += notification.name();
  if (const auto message = notification.shutdownCommunication()) {
    text += " \"" + *message + "\"";
  }
  if (!detail.empty()) {
    text += ": " + detail;
  }
  return text;
}

SessionFsm::SessionFsm(FsmSettings settings)
    : settings_(std::move(settings)), idle_hold_(settings_.peer.idle_hold_time) {}

bool SessionFsm::internal() const {
  if (settings_.peer.peer_as) {
    return *settings_.peer.peer_as == settings_.local_as;
  }
  return negotiated_ && negotiated_->peer_as == settings_.local_as;
}

Open SessionFsm::localOpen() const {
  Open open;
  const std::uint32_t local_as = settings_.local_as;
  open.my_as = local_as > 0xFFFF ? static_cast<std::uint16_t>(kAsTrans)
                                 : static_cast<std::uint16_t>(local_as);
  open.hold_time = static_cast<std::uint16_t>(settings_.peer.hold_time.count());
  open.bgp_identifier = settings_.router_id;

  const PeerSettings& peer = settings_.peer;
  if (peer.families.ipv4_unicast) {
    open.capabilities.push_back(MultiprotocolCapability{kIpv4Unicast});
  }
  if (peer.families.ipv6_unicast) {
    open.capabilities.push_back(MultiprotocolCapability{kIpv6Unicast});
  }
  if (peer.route_refresh) {
    open.capabilities.push_back(RouteRefreshCapability{});
  }
  if (peer.extended_messages) {
    open.capabilities.push_back(ExtendedMessageCapability{});
  }
  if (settings_.graceful_restart.enabled) {
    GracefulRestartCapability restart;
    restart.restart_time =
        static_cast<std::uint16_t>(std::min<long>(settings_.graceful_restart.restart_time.count(),
                                                  GracefulRestartCapability::kMaxRestartTime));
    restart.restarted = settings_.graceful_restart.restarting;
    for (const Capability& capability : open.capabilities) {
      if (const auto* mp = std::get_if<MultiprotocolCapability>(&capability)) {
        restart.families.push_back({mp->family, settings_.graceful_restart.forwarding_preserved});
      }
    }
    open.capabilities.push_back(std::move(restart));
  }
  open.capabilities.push_back(FourOctetAsCapability{local_as});
  return open;
}

SessionState SessionFsm::state() const {
  SessionState best = SessionState::Idle;
  for (const Slot& s : slots_) {
    best = std::max(best, s.state);
  }
  return best == SessionState::Idle ? peer_state_ : best;
}

std::optional<Connection> SessionFsm::establishedConnection() const {
  for (const Connection c : {Connection::Outgoing, Connection::Incoming}) {
    if (slot(c).state == SessionState::Established) {
      return c;
    }
  }
  return std::nullopt;
}

bool SessionFsm::anySlotLive() const {
  return std::ranges::any_of(slots_, [](const Slot& s) { return s.state != SessionState::Idle; });
}

FsmOutput SessionFsm::handle(const FsmEvent& event) {
  out_ = {};
  const SessionState before = state();

  if (const auto* stop = std::get_if<StopEvent>(&event)) {
    stopAll(stop->notification);
    reason_ = FsmReason::Stopped;
  } else if ((isTimer(event, Timer::ConnectRetry) || isTimer(event, Timer::IdleHold)) &&
             anySlotLive()) {
    // A connection is in progress: a peer-level timer left over from before is stale.
  } else if (isTimer(event, Timer::Stable)) {
    // A session that stayed up this long is stable: errors start the back-off anew.
    idle_hold_ = settings_.peer.idle_hold_time;
  } else if (const auto connection = connectionOf(event)) {
    if (slot(*connection).state != SessionState::Idle) {
      dispatchConnection(*connection, event);
    }
  } else if (std::holds_alternative<TcpAcceptedEvent>(event) && anySlotLive()) {
    acceptSecondConnection();
  } else {
    const Next next = dispatchPeer(event);
    peer_state_ = next.state;
    reason_ = next.reason;
  }

  const SessionState after = state();
  if (after != before) {
    out_.transition = FsmTransition{before, after, reason_};
  }
  return std::exchange(out_, {});
}

SessionFsm::Next SessionFsm::dispatchPeer(const FsmEvent& event) {
  switch (peer_state_) {
    case SessionState::Idle:
      return onIdle(event);
    case SessionState::Connect:
      return onConnect(event);
    default:
      return onActive(event);
  }
}

void SessionFsm::dispatchConnection(Connection connection, const FsmEvent& event) {
  const SessionState before = slot(connection).state;
  Next next{before, reason_};
  switch (before) {
    case SessionState::OpenSent:
      next = onOpenSent(connection, event);
      break;
    case SessionState::OpenConfirm:
      next = onOpenConfirm(connection, event);
      break;
    default:
      next = onEstablished(connection, event);
      break;
  }
  reason_ = next.reason;
  if (next.state != SessionState::Idle) {
    slot(connection).state = next.state;
    return;
  }

  // The connection is gone; the peer falls back only when it was the last one.
  if (!anySlotLive()) {
    const bool to_active = before == SessionState::OpenSent && next.reason == FsmReason::TcpFailed;
    afterLastConnectionLost(to_active);
  }
}

// --- Peer-level states ------------------------------------------------------------------

SessionFsm::Next SessionFsm::onIdle(const FsmEvent& event) {
  if (std::holds_alternative<StartEvent>(event)) {
    started_ = true;
    return startConnecting(FsmReason::Started);
  }
  if (isTimer(event, Timer::IdleHold) && started_) {
    return startConnecting(FsmReason::IdleHoldExpired);
  }
  if (std::holds_alternative<TcpAcceptedEvent>(event)) {
    // RFC 4271 8.2.2: Idle refuses connections (and the back-off holds while it lasts).
    refuseIncoming(CeaseError::ConnectionRejected);
  } else if (std::holds_alternative<TcpConnectedEvent>(event)) {
    emit(CloseAction{Connection::Outgoing});
  }
  return {SessionState::Idle, reason_};
}

SessionFsm::Next SessionFsm::onConnect(const FsmEvent& event) {
  if (std::holds_alternative<TcpConnectedEvent>(event)) {
    stopTimer(Timer::ConnectRetry, Connection::Outgoing);
    return openConnection(Connection::Outgoing, FsmReason::TcpConnected);
  }
  if (std::holds_alternative<TcpConnectFailedEvent>(event)) {
    // RFC 4271 8.2.2 (Connect, event 18): wait ConnectRetry in Active, still listening.
    emit(CloseAction{Connection::Outgoing});
    startTimer(Timer::ConnectRetry, Connection::Outgoing, settings_.peer.connect_retry_time);
    return {SessionState::Active, FsmReason::TcpFailed};
  }
  if (isTimer(event, Timer::ConnectRetry)) {
    emit(CloseAction{Connection::Outgoing});
    emit(ConnectAction{});
    startTimer(Timer::ConnectRetry, Connection::Outgoing, settings_.peer.connect_retry_time);
    return {SessionState::Connect, FsmReason::ConnectRetryExpired};
  }
  if (std::holds_alternative<TcpAcceptedEvent>(event)) {
    // The peer was quicker: use its connection and stop making ours.
    emit(CloseAction{Connection::Outgoing});
    stopTimer(Timer::ConnectRetry, Connection::Outgoing);
    return openConnection(Connection::Incoming, FsmReason::TcpAccepted);
  }
  return {SessionState::Connect, reason_};
}

SessionFsm::Next SessionFsm::onActive(const FsmEvent& event) {
  if (isTimer(event, Timer::ConnectRetry) && !settings_.peer.passive) {
    emit(ConnectAction{});
    startTimer(Timer::ConnectRetry, Connection::Outgoing, settings_.peer.connect_retry_time);
    return {SessionState::Connect, FsmReason::ConnectRetryExpired};
  }
  if (std::holds_alternative<TcpAcceptedEvent>(event)) {
    stopTimer(Timer::ConnectRetry, Connection::Outgoing);
    return openConnection(Connection::Incoming, FsmReason::TcpAccepted);
  }
  if (std::holds_alternative<TcpConnectedEvent>(event)) {
    emit(CloseAction{Connection::Outgoing});  // an attempt abandoned earlier
  }
  return {SessionState::Active, reason_};
}

// --- Connection-level states ------------------------------------------------------------

SessionFsm::Next SessionFsm::onOpenSent(Connection connection, const FsmEvent& event) {
  if (const auto* open = std::get_if<OpenReceivedEvent>(&event)) {
    return receiveOpen(connection, open->open);
  }
  if (std::holds_alternative<TcpClosedEvent>(event)) {
    return dropConnection(connection, FsmReason::TcpFailed);
  }
  if (isTimer(event, Timer::Hold)) {
    return failConnection(connection, Notification::holdTimerExpired(),
                          "no open within the hold time", FsmReason::HoldTimerExpired);
  }
  if (const auto* received = std::get_if<NotificationReceivedEvent>(&event)) {
    return notificationReceived(connection, received->notification);
  }
  if (const auto* error = std::get_if<MessageErrorEvent>(&event)) {
    return failConnection(connection, error->notification, error->reason, FsmReason::MessageError);
  }
  if (std::holds_alternative<KeepaliveReceivedEvent>(event) ||
      std::holds_alternative<UpdateReceivedEvent>(event) ||
      std::holds_alternative<RouteRefreshReceivedEvent>(event)) {
    return unexpected(connection, FsmError::UnexpectedMessageInOpenSent, event);
  }
  return {SessionState::OpenSent, reason_};
}

SessionFsm::Next SessionFsm::onOpenConfirm(Connection connection, const FsmEvent& event) {
  if (std::holds_alternative<KeepaliveReceivedEvent>(event)) {
    establish(connection);
    return {SessionState::Established, FsmReason::KeepaliveReceived};
  }
  if (std::holds_alternative<OpenReceivedEvent>(event) ||
      std::holds_alternative<UpdateReceivedEvent>(event) ||
      std::holds_alternative<RouteRefreshReceivedEvent>(event)) {
    return unexpected(connection, FsmError::UnexpectedMessageInOpenConfirm, event);
  }
  return keepConnection(connection, event);
}

SessionFsm::Next SessionFsm::onEstablished(Connection connection, const FsmEvent& event) {
  const bool message = std::holds_alternative<KeepaliveReceivedEvent>(event) ||
                       std::holds_alternative<UpdateReceivedEvent>(event) ||
                       std::holds_alternative<RouteRefreshReceivedEvent>(event);
  if (message) {
    // RFC 4271 8.2.2 (Established, events 26 and 27): each message restarts the hold timer.
    if (negotiated_ && negotiated_->hold_time.count() > 0) {
      startTimer(Timer::Hold, connection, negotiated_->hold_time);
    }
    if (std::holds_alternative<RouteRefreshReceivedEvent>(event)) {
      emit(RouteRefreshAction{});
    }
    return {SessionState::Established, reason_};
  }
  if (std::holds_alternative<OpenReceivedEvent>(event)) {
    return unexpected(connection, FsmError::UnexpectedMessageInEstablished, event);
  }
  return keepConnection(connection, event);
}

// What OpenConfirm and Established share: keepalives out, and the ways a connection ends.
SessionFsm::Next SessionFsm::keepConnection(Connection connection, const FsmEvent& event) {
  const SessionState current = slot(connection).state;
  if (isTimer(event, Timer::Keepalive)) {
    emit(SendKeepaliveAction{connection});
    startTimer(Timer::Keepalive, connection, negotiated_->keepalive_time);
    return {current, reason_};
  }
  if (isTimer(event, Timer::Hold)) {
    return failConnection(connection, Notification::holdTimerExpired(),
                          "no message within the hold time", FsmReason::HoldTimerExpired);
  }
  if (std::holds_alternative<TcpClosedEvent>(event)) {
    return dropConnection(connection, FsmReason::TcpFailed);
  }
  if (const auto* received = std::get_if<NotificationReceivedEvent>(&event)) {
    return notificationReceived(connection, received->notification);
  }
  if (const auto* error = std::get_if<MessageErrorEvent>(&event)) {
    return failConnection(connection, error->notification, error->reason, FsmReason::MessageError);
  }
  return {current, reason_};
}

// --- Steps ------------------------------------------------------------------------------

SessionFsm::Next SessionFsm::startConnecting(FsmReason reason) {
  if (settings_.peer.passive) {
    return {SessionState::Active, reason};
  }
  emit(ConnectAction{});
  // TODO: no jitter on ConnectRetry or keepalives (RFC 4271 10 suggests 75-100%), so peers
  // started together retry in step.
  startTimer(Timer::ConnectRetry, Connection::Outgoing, settings_.peer.connect_retry_time);
  return {SessionState::Connect, reason};
}

SessionFsm::Next SessionFsm::openConnection(Connection connection, FsmReason reason) {
  slot(connection) = Slot{SessionState::OpenSent, std::nullopt};
  emit(SendOpenAction{connection, localOpen()});
  startTimer(Timer::Hold, connection, kOpenSentHoldTime);
  // Should this connection fail, the peer waits in Active (RFC 4271 8.2.2, OpenSent).
  return {SessionState::Active, reason};
}

void SessionFsm::acceptSecondConnection() {
  if (establishedConnection()) {
    // RFC 4271 6.8: a collision with an Established session closes the new connection.
    refuseIncoming(CeaseError::ConnectionCollisionResolution);
    return;
  }
  if (slot(Connection::Incoming).state != SessionState::Idle) {
    refuseIncoming(CeaseError::ConnectionRejected);
    return;
  }
  openConnection(Connection::Incoming, FsmReason::TcpAccepted);
  reason_ = FsmReason::TcpAccepted;
}

void SessionFsm::refuseIncoming(CeaseError subcode) {
  Notification notification = Notification::of(subcode);
  recordSent(notification,
             "incoming connection refused in " + std::string(sessionStateName(state())));
  emit(RefuseAction{std::move(notification)});
}

SessionFsm::Next SessionFsm::receiveOpen(Connection connection, const Open& open) {
  std::string detail;
  if (auto refused = checkOpen(open, detail)) {
    return failConnection(connection, std::move(*refused), detail, FsmReason::OpenRejected);
  }
  if (!resolveCollision(connection, open)) {
    return {SessionState::Idle, FsmReason::CollisionLost};
  }

  slot(connection).peer_open = open;
  negotiated_ = negotiate(open);
  emit(SendKeepaliveAction{connection});
  if (negotiated_->hold_time.count() > 0) {
    startTimer(Timer::Hold, connection, negotiated_->hold_time);
    startTimer(Timer::Keepalive, connection, negotiated_->keepalive_time);
  } else {
    // RFC 4271 4.2: a hold time of zero means no hold timer and no keepalives.
    stopTimer(Timer::Hold, connection);
  }
  return {SessionState::OpenConfirm, FsmReason::OpenReceived};
}

std::optional<Notification> SessionFsm::checkOpen(const Open& open, std::string& detail) const {
  // decodeOpen() checks these too; an Open that did not come off the wire gets them here.
  if (open.version != kBgpVersion) {
    detail = "open: version " + std::to_string(open.version) + " (RFC 4271 6.2)";
    return Notification::of(OpenError::UnsupportedVersionNumber, {0, kBgpVersion});
  }
  if (open.bgp_identifier == 0) {
    detail = "open: bgp identifier 0 (RFC 6286 2.1)";
    return Notification::of(OpenError::BadBgpIdentifier);
  }

  // What needs the configuration: the peer AS, our identifier, the hold time floor.
  const OpenExpectations expectations{settings_.local_as, settings_.router_id,
                                      settings_.peer.peer_as, 3};
  if (auto refused = checkPeerOpen(open, expectations)) {
    detail = refused->reason + " (" + std::string(refused->section) + ")";
    return std::move(refused->notification);
  }
  return std::nullopt;
}

Negotiated SessionFsm::negotiate(const Open& open) const {
  const Open local = localOpen();
  Negotiated result;
  result.codec = bgp::negotiate(local, open);
  result.peer_as = open.asNumber();
  result.peer_id = open.bgp_identifier;

  // RFC 4271 4.2: the smaller hold time, zero meaning none; keepalives at a third of it.
  result.hold_time = Seconds{negotiateHoldTime(local, open)};
  result.keepalive_time = result.hold_time / 3;

  result.route_refresh = bothSent<RouteRefreshCapability>(local, open);
  if (const auto* restart = findCapability<GracefulRestartCapability>(open.capabilities)) {
    result.peer_graceful_restart = *restart;
    result.graceful_restart = settings_.graceful_restart.enabled;
  }
  result.local_capabilities = local.capabilities;
  result.peer_capabilities = open.capabilities;
  return result;
}

Connection SessionFsm::collisionWinner(const Open& open) const {
  // RFC 4271 6.8: the connection opened by the higher BGP identifier stays; RFC 6286 2.3:
  // with equal identifiers, the one opened by the higher AS.
  const std::uint32_t local_id = settings_.router_id;
  if (local_id != open.bgp_identifier) {
    return local_id > open.bgp_identifier ? Connection::Outgoing : Connection::Incoming;
  }
  return settings_.local_as > open.asNumber() ? Connection::Outgoing : Connection::Incoming;
}

bool SessionFsm::resolveCollision(Connection arrived, const Open& open) {
  const Connection existing = other(arrived);
  const SessionState existing_state = slot(existing).state;
  if (existing_state == SessionState::Idle || existing_state == SessionState::OpenSent) {
    return true;  // no collision yet: the other OPEN decides when it comes
  }

  const Notification cease = Notification::of(CeaseError::ConnectionCollisionResolution);
  const bool keep_arrived =
      existing_state != SessionState::Established && collisionWinner(open) == arrived;
  const Connection loser = keep_arrived ? existing : arrived;
  recordSent(cease, "collision: closed the " + std::string(connectionName(loser)) + " connection");
  emit(SendNotificationAction{loser, cease});
  closeSlot(loser, FsmReason::CollisionLost);
  return keep_arrived;
}

void SessionFsm::establish(Connection connection) {
  slot(connection).state = SessionState::Established;
  emit(SessionUpAction{connection});
  if (negotiated_->hold_time.count() > 0) {
    startTimer(Timer::Hold, connection, negotiated_->hold_time);
  }
  startTimer(Timer::Stable, Connection::Outgoing, settings_.peer.stable_time);
}

SessionFsm::Next SessionFsm::failConnection(Connection connection, Notification notification,
                                            std::string detail, FsmReason reason) {
  recordSent(notification, std::move(detail));
  emit(SendNotificationAction{connection, std::move(notification)});
  closeSlot(connection, reason);
  return {SessionState::Idle, reason};
}

SessionFsm::Next SessionFsm::dropConnection(Connection connection, FsmReason reason) {
  closeSlot(connection, reason);
  return {SessionState::Idle, reason};
}

SessionFsm::Next SessionFsm::notificationReceived(Connection connection,
                                                  const Notification& notification) {
  last_error_ = LastError{LastError::Direction::Received, notification, {}};
  return dropConnection(connection, FsmReason::NotificationReceived);
}

SessionFsm::Next SessionFsm::unexpected(Connection connection, FsmError subcode,
                                        const FsmEvent& event) {
  const std::string detail = std::string(eventMessageName(event)) + " in " +
                             std::string(sessionStateName(slot(connection).state));
  return failConnection(connection, Notification::of(subcode), detail,
                        FsmReason::UnexpectedMessage);
}

void SessionFsm::closeSlot(Connection connection, FsmReason reason) {
  const bool was_established = slot(connection).state == SessionState::Established;
  emit(CloseAction{connection});
  stopTimer(Timer::Hold, connection);
  stopTimer(Timer::Keepalive, connection);
  if (was_established) {
    stopTimer(Timer::Stable, Connection::Outgoing);
    emit(SessionDownAction{reason});
  }
  slot(connection) = Slot{};
}

void SessionFsm::afterLastConnectionLost(bool to_active) {
  if (to_active) {
    peer_state_ = SessionState::Active;
    if (!settings_.peer.passive) {
      startTimer(Timer::ConnectRetry, Connection::Outgoing, settings_.peer.connect_retry_time);
    }
    return;
  }

  // RFC 4271 8.1.1 (DampPeerOscillations): wait, longer after each error, before trying again.
  peer_state_ = SessionState::Idle;
  startTimer(Timer::IdleHold, Connection::Outgoing, idle_hold_);
  idle_hold_ = std::min(idle_hold_ * 2, settings_.peer.max_idle_hold_time);
}

void SessionFsm::stopAll(const std::optional<Notification>& notification) {
  for (const Connection c : {Connection::Outgoing, Connection::Incoming}) {
    if (slot(c).state == SessionState::Idle) {
      continue;
    }
    if (notification) {
      recordSent(*notification, "stopped");
      emit(SendNotificationAction{c, *notification});
    }
    closeSlot(c, FsmReason::Stopped);
  }
  if (peer_state_ == SessionState::Connect) {
    emit(CloseAction{Connection::Outgoing});
  }
  stopTimer(Timer::ConnectRetry, Connection::Outgoing);
  stopTimer(Timer::IdleHold, Connection::Outgoing);
  peer_state_ = SessionState::Idle;
  started_ = false;
  idle_hold_ = settings_.peer.idle_hold_time;
}

void SessionFsm::startTimer(Timer timer, Connection connection, Seconds after) {
  emit(StartTimerAction{TimerId{timer, connection}, after});
}

void SessionFsm::stopTimer(Timer timer, Connection connection) {
  emit(StopTimerAction{TimerId{timer, connection}});
}

void SessionFsm::recordSent(const Notification& notification, std::string detail) {
  last_error_ = LastError{LastError::Direction::Sent, notification, std::move(detail)};
}

}  // namespace vipd::bgp
