#include "bgp/session.h"

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <boost/asio.hpp>
#include <map>
#include <utility>

#include "bgp/asio_address.h"
#include "bgp/codec.h"
#include "bgp/framing.h"
#include "bgp/socket_options.h"
#include "common/log.h"

namespace vipd::bgp {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr std::size_t kReadChunk = 16384;
// Queued bytes of at least a full message (RFC 4271 4.1) go to the socket at once; fewer
// (a KEEPALIVE, one VIP's UPDATE) wait for the end of the loop turn, to share one write.
constexpr std::size_t kWriteAtOnce = 4096;

std::size_t prefixCount(const Update& update) {
  std::size_t count = update.nlri.size();
  if (update.attributes.mp_reach) {
    count += update.attributes.mp_reach->nlri.size();
  }
  return count;
}

// Writes are already gathered into one per loop turn: Nagle's algorithm would only hold a
// lone UPDATE (a withdrawal) back until the peer's delayed ACK of the previous one, tens of
// milliseconds on Linux.
void sendAtOnce(tcp::socket& socket) {
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
}

}  // namespace

class Session::Impl {
 public:
  Impl(Session& owner, asio::io_context& io, FsmSettings settings, Callbacks callbacks)
      : owner_(owner),
        io_(io),
        fsm_(std::move(settings)),
        callbacks_(std::move(callbacks)),
        name_(fsm_.settings().peer.name.empty() ? fsm_.settings().peer.address.toString()
                                                : fsm_.settings().peer.name),
        log_(vipd::log::get("bgp")),
        since_(std::chrono::system_clock::now()) {}

  ~Impl() {
    closed_waiters_.clear();  // nobody is left to tell
    for (auto& conn : conns_) {
      closeNow(conn);
    }
    for (const ConnPtr& conn : std::vector<ConnPtr>(closing_)) {
      closeNow(conn);
    }
    for (auto& [id, timer] : timers_) {
      timer->cancel();
    }
  }

  const std::string& name() const { return name_; }
  const PeerSettings& peer() const { return fsm_.settings().peer; }

  void start() { feed(StartEvent{}); }
  void stop(std::optional<Notification> notification, std::function<void()> closed);
  void adoptIncoming(int fd);
  void sendRoutes(std::span<const Announcement> announcements, std::span<const Prefix> withdrawals);
  void sendEndOfRib();
  bool established() const { return fsm_.establishedConnection().has_value(); }
  std::optional<PeerSession> peerSession() const;
  SessionStatus status() const;

 private:
  struct Conn {
    Conn(asio::io_context& io, Connection r) : role(r), socket(io), close_wait(io) {}
    Connection role;
    tcp::socket socket;
    std::vector<std::uint8_t> in;
    std::vector<std::uint8_t> pending;  // queued, not yet being written
    std::vector<std::uint8_t> writing;  // being written
    bool write_in_progress = false;
    bool flush_posted = false;
    bool reading = false;
    bool closing = false;      // close once the writes are out and the peer has closed
    bool half_closed = false;  // our FIN is sent
    bool peer_closed = false;  // the peer's FIN (or an error) was read
    bool closed = false;
    asio::steady_timer close_wait;  // the bound on closing
    CodecContext context;
  };
  using ConnPtr = std::shared_ptr<Conn>;

  void feed(const FsmEvent& event);
  void execute(const FsmAction& action);
  void perform(const ConnectAction& action);
  void perform(const SendOpenAction& action);
  void perform(const SendKeepaliveAction& action);
  void perform(const SendNotificationAction& action);
  void perform(const CloseAction& action);
  void perform(const RefuseAction& action);
  void perform(const StartTimerAction& action);
  void perform(const StopTimerAction& action);
  void perform(const SessionUpAction& action);
  void perform(const SessionDownAction& action);
  void perform(const RouteRefreshAction& action);
  void connect();
  std::expected<void, std::string> openOutgoing(tcp::socket& socket);
  void afterConnect(const ConnPtr& conn, const boost::system::error_code& error);
  std::expected<void, std::string> prepare(tcp::socket& socket, bool v6);
  void startReading(const ConnPtr& conn);
  void processInput(const ConnPtr& conn);
  bool handleMessage(const ConnPtr& conn, std::expected<Message, DecodeError> message);
  void queue(const ConnPtr& conn, std::vector<std::uint8_t> bytes);
  void writeNow(const ConnPtr& conn);
  void flush(const ConnPtr& conn);
  void close(Connection role);
  void closeGently(ConnPtr conn);
  void halfClose(const ConnPtr& conn);
  void readUntilPeerCloses(const ConnPtr& conn);
  void afterClosingRead(const ConnPtr& conn, const boost::system::error_code& error);
  void closeNow(const ConnPtr& conn);
  void notifyIfClosed();
  void armTimer(TimerId id, Seconds after);
  void cancelTimer(TimerId id);
  bool current(const ConnPtr& conn) const {
    return conn == conns_[static_cast<std::size_t>(conn->role)];
  }
  ConnPtr& slot(Connection role) { return conns_[static_cast<std::size_t>(role)]; }
  template <typename F>
  auto guarded(F&& f) {
    return [weak = std::weak_ptr<int>(alive_), f = std::forward<F>(f)](auto&&... args) mutable {
      if (!weak.expired()) {
        f(std::forward<decltype(args)>(args)...);
      }
    };
  }

  Session& owner_;
  asio::io_context& io_;
  SessionFsm fsm_;
  Callbacks callbacks_;
  std::string name_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);

  std::array<ConnPtr, 2> conns_;
  std::vector<ConnPtr> closing_;
  ConnPtr offered_;  // an accepted connection the FSM is deciding on
  std::vector<std::function<void()>> closed_waiters_;  // of stop()
  std::map<TimerId, std::unique_ptr<asio::steady_timer>> timers_;
  std::map<TimerId, std::uint64_t> timer_generation_;

  std::chrono::system_clock::time_point since_;
  FsmReason last_reason_ = FsmReason::Started;
  SessionCounters counters_;
};

// --- The FSM's events and actions ---------------------------------------------------------

void Session::Impl::feed(const FsmEvent& event) {
  FsmOutput out = fsm_.handle(event);
  if (out.transition) {
    const FsmTransition& t = *out.transition;
    since_ = std::chrono::system_clock::now();
    last_reason_ = t.reason;
    log_->info("session state changed peer={} from={} to={} reason={}", name_,
               sessionStateName(t.from), sessionStateName(t.to), fsmReasonName(t.reason));
  }
  for (const FsmAction& action : out.actions) {
    execute(action);
  }
  // An accepted connection the FSM neither took nor refused explicitly is not wanted.
  if (offered_) {
    closeNow(offered_);
    offered_.reset();
  }
}

void Session::Impl::stop(std::optional<Notification> notification, std::function<void()> closed) {
  feed(StopEvent{std::move(notification)});
  if (closed) {
    closed_waiters_.push_back(std::move(closed));
    notifyIfClosed();
  }
}

void Session::Impl::execute(const FsmAction& action) {
  std::visit([this](const auto& a) { perform(a); }, action);
}

void Session::Impl::perform(const ConnectAction&) {
  connect();
}

void Session::Impl::perform(const SendOpenAction& action) {
  if (action.connection == Connection::Incoming && offered_) {
    // The FSM took the connection the listener offered.
    slot(Connection::Incoming) = std::exchange(offered_, nullptr);
    startReading(slot(Connection::Incoming));
  }
  std::vector<std::uint8_t> bytes;
  if (auto encoded = encodeOpen(action.open, bytes); !encoded) {
    log_->error("open not encodable peer={} error={}", name_, encoded.error().reason);
    return;
  }
  queue(slot(action.connection), std::move(bytes));
}

void Session::Impl::perform(const SendKeepaliveAction& action) {
  std::vector<std::uint8_t> bytes;
  encodeKeepalive(bytes);
  queue(slot(action.connection), std::move(bytes));
}

void Session::Impl::perform(const SendNotificationAction& action) {
  const ConnPtr& conn = slot(action.connection);
  std::vector<std::uint8_t> bytes;
  if (!conn || !encodeNotification(action.notification, conn->context, bytes)) {
    return;
  }
  ++counters_.notifications_sent;
  log_->warn("notification sent peer={} connection={} error={} detail=\"{}\"", name_,
             connectionName(action.connection), action.notification.name(),
             fsm_.lastError() ? fsm_.lastError()->detail : "");
  queue(conn, std::move(bytes));
}

void Session::Impl::perform(const CloseAction& action) {
  close(action.connection);
}

void Session::Impl::perform(const RefuseAction& action) {
  ++counters_.connections_refused;
  log_->info("incoming connection refused peer={} state={}", name_, sessionStateName(fsm_.state()));
  if (!offered_) {
    return;
  }
  std::vector<std::uint8_t> bytes;
  if (action.notification && encodeNotification(*action.notification, offered_->context, bytes)) {
    queue(offered_, std::move(bytes));
  }
  closeGently(std::exchange(offered_, nullptr));
}

void Session::Impl::perform(const StartTimerAction& action) {
  armTimer(action.timer, action.after);
}

void Session::Impl::perform(const StopTimerAction& action) {
  cancelTimer(action.timer);
}

void Session::Impl::perform(const SessionUpAction&) {
  ++counters_.established_count;
  if (callbacks_.established) {
    callbacks_.established(owner_);
  }
}

void Session::Impl::perform(const SessionDownAction& action) {
  if (callbacks_.down) {
    callbacks_.down(owner_, action.reason);
  }
}

void Session::Impl::perform(const RouteRefreshAction&) {
  if (callbacks_.route_refresh) {
    callbacks_.route_refresh(owner_);
  }
}

// --- Connections ------------------------------------------------------------------------

std::expected<void, std::string> Session::Impl::prepare(tcp::socket& socket, bool v6) {
  const PeerSettings& p = peer();
  const int fd = socket.native_handle();
  if (!p.md5_password.empty()) {
    if (auto set = setMd5Key(fd, v6, p.address, p.md5_password); !set) {
      return set;
    }
  }
  if (p.ttl_security_hops > 0) {
    return setTtlSecurity(fd, v6, p.ttl_security_hops);
  }
  if (p.ttl) {
    return setTtl(fd, v6, *p.ttl);
  }
  return {};
}

// The outgoing socket, open and bound, its options set before connect() (RFC 2385 needs the
// key on the SYN).
std::expected<void, std::string> Session::Impl::openOutgoing(tcp::socket& socket) {
  const PeerSettings& p = peer();
  const bool v6 = p.address.isV6();
  boost::system::error_code ec;
  socket.open(v6 ? tcp::v6() : tcp::v4(), ec);
  if (ec) {
    return std::unexpected("socket: " + ec.message());
  }
  if (auto prepared = prepare(socket, v6); !prepared) {
    return prepared;
  }
  if (!p.local_address && p.local_port == 0) {
    return {};
  }
  const IpAddress local =
      p.local_address.value_or(v6 ? *IpAddress::parse("::") : *IpAddress::parse("0.0.0.0"));
  socket.set_option(asio::socket_base::reuse_address(true), ec);
  socket.bind(tcp::endpoint(toAsio(local), p.local_port), ec);
  if (ec) {
    return std::unexpected("bind " + local.withPort(p.local_port) + ": " + ec.message());
  }
  return {};
}

void Session::Impl::connect() {
  auto conn = std::make_shared<Conn>(io_, Connection::Outgoing);
  slot(Connection::Outgoing) = conn;
  if (auto ready = openOutgoing(conn->socket); !ready) {
    log_->error("connect failed peer={} error=\"{}\"", name_, ready.error());
    // Reported on the next turn: the FSM is still handling the event that asked for it.
    asio::post(io_, guarded([this, conn] {
                 if (current(conn)) {
                   slot(Connection::Outgoing).reset();
                   feed(TcpConnectFailedEvent{});
                 }
               }));
    return;
  }

  const PeerSettings& p = peer();
  log_->debug("connecting peer={} address={}", name_, p.address.withPort(p.port));
  conn->socket.async_connect(
      tcp::endpoint(toAsio(p.address), p.port),
      guarded([this, conn](const boost::system::error_code& error) { afterConnect(conn, error); }));
}

void Session::Impl::afterConnect(const ConnPtr& conn, const boost::system::error_code& error) {
  if (!current(conn)) {
    return;  // abandoned: ConnectRetry expired or the peer's connection won
  }
  if (error) {
    log_->debug("connect failed peer={} error=\"{}\"", name_, error.message());
    closeNow(conn);
    slot(Connection::Outgoing).reset();
    feed(TcpConnectFailedEvent{});
    return;
  }
  sendAtOnce(conn->socket);
  feed(TcpConnectedEvent{});
  if (current(conn)) {
    startReading(conn);
  }
}

void Session::Impl::adoptIncoming(int fd) {
  auto conn = std::make_shared<Conn>(io_, Connection::Incoming);
  sockaddr_storage local{};
  socklen_t length = sizeof local;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length);
  const bool v6 = local.ss_family == AF_INET6;
  boost::system::error_code ec;
  conn->socket.assign(v6 ? tcp::v6() : tcp::v4(), fd, ec);
  if (ec) {
    ::close(fd);
    return;
  }
  sendAtOnce(conn->socket);
  // The MD5 key was the listener's; the TTL options apply from now on.
  // TODO: TTL security is set after the handshake, so a spoofed SYN from afar still costs
  // an accept; setting IP_MINTTL on the listener needs one value for all its peers.
  const PeerSettings& p = peer();
  if (p.ttl_security_hops > 0) {
    if (auto set = setTtlSecurity(fd, v6, p.ttl_security_hops); !set) {
      log_->warn("ttl security not set peer={} error=\"{}\"", name_, set.error());
    }
  } else if (p.ttl) {
    (void)setTtl(fd, v6, *p.ttl);
  }
  offered_ = conn;
  feed(TcpAcceptedEvent{});
}

void Session::Impl::close(Connection role) {
  ConnPtr conn = std::exchange(slot(role), nullptr);
  if (conn) {
    closeGently(std::move(conn));
  }
}

// Lets queued bytes (a NOTIFICATION) go out first, then half-closes (halfClose()), all
// within close_wait_time: a peer that neither reads nor closes does not keep it open.
void Session::Impl::closeGently(ConnPtr conn) {
  if (conn->closing || conn->closed) {
    return;
  }
  conn->closing = true;
  closing_.push_back(conn);
  conn->close_wait.expires_after(peer().close_wait_time);
  conn->close_wait.async_wait(guarded([this, conn](const boost::system::error_code& error) {
    if (!error && !conn->closed) {
      log_->debug("connection closed without waiting for the peer peer={} connection={}", name_,
                  connectionName(conn->role));
      closeNow(conn);
    }
  }));
  if (conn->pending.empty() && !conn->write_in_progress && !conn->flush_posted) {
    halfClose(conn);
  }
}

// Closing a socket with unread input makes the kernel answer with a reset, and a reset can
// make the peer's TCP drop the NOTIFICATION it has not read yet: the router would log a lost
// connection instead of our Cease. So our FIN follows the NOTIFICATION, and whatever the
// peer still sends is read and dropped until its FIN, then the socket is closed.
void Session::Impl::halfClose(const ConnPtr& conn) {
  if (conn->half_closed || conn->closed) {
    return;
  }
  conn->half_closed = true;
  boost::system::error_code error;
  conn->socket.shutdown(tcp::socket::shutdown_send, error);
  if (error || conn->peer_closed) {
    closeNow(conn);  // never connected (a connect in progress), or the peer is gone already
    return;
  }
  if (!conn->reading) {
    readUntilPeerCloses(conn);
  }
}

void Session::Impl::readUntilPeerCloses(const ConnPtr& conn) {
  conn->reading = true;
  conn->in.resize(kReadChunk);
  conn->socket.async_read_some(
      asio::buffer(conn->in),
      guarded([this, conn](const boost::system::error_code& error, std::size_t) {
        conn->reading = false;
        afterClosingRead(conn, error);
      }));
}

// A read of a closing connection: what comes after our NOTIFICATION is dropped unread.
void Session::Impl::afterClosingRead(const ConnPtr& conn, const boost::system::error_code& error) {
  conn->in.clear();
  if (conn->closed) {
    return;
  }
  if (!error) {
    readUntilPeerCloses(conn);
    return;
  }
  conn->peer_closed = true;
  if (conn->half_closed) {
    closeNow(conn);
  }
}

void Session::Impl::closeNow(const ConnPtr& conn) {
  if (!conn || conn->closed) {
    return;
  }
  conn->closed = true;
  conn->close_wait.cancel();
  boost::system::error_code ignored;
  conn->socket.shutdown(tcp::socket::shutdown_both, ignored);
  conn->socket.close(ignored);
  std::erase(closing_, conn);
  notifyIfClosed();
}

void Session::Impl::notifyIfClosed() {
  const bool open = !closing_.empty() || std::ranges::any_of(conns_, [](const ConnPtr& conn) {
    return conn != nullptr;
  });
  if (open || closed_waiters_.empty()) {
    return;
  }
  // Later, on the loop: a waiter may destroy this session, and closeNow() may run inside a
  // handler of this session.
  for (auto& waiter : std::exchange(closed_waiters_, {})) {
    asio::post(io_, std::move(waiter));
  }
}

// --- Reading ----------------------------------------------------------------------------

void Session::Impl::startReading(const ConnPtr& conn) {
  conn->reading = true;
  const std::size_t used = conn->in.size();
  conn->in.resize(used + kReadChunk);
  conn->socket.async_read_some(
      asio::buffer(conn->in.data() + used, kReadChunk),
      guarded([this, conn, used](const boost::system::error_code& error, std::size_t n) {
        conn->reading = false;
        conn->in.resize(used + n);
        if (conn->closing) {
          afterClosingRead(conn, error);
          return;
        }
        if (!current(conn)) {
          return;
        }
        if (error) {
          log_->info("connection closed peer={} connection={} error=\"{}\"", name_,
                     connectionName(conn->role), error.message());
          conn->peer_closed = true;
          feed(TcpClosedEvent{conn->role});
          return;
        }
        processInput(conn);
      }));
}

void Session::Impl::processInput(const ConnPtr& conn) {
  std::size_t offset = 0;
  while (current(conn)) {
    const auto rest = std::span<const std::uint8_t>(conn->in).subspan(offset);
    const auto needed = nextMessageSize(rest, conn->context);
    if (!needed) {
      handleMessage(conn, std::unexpected(needed.error()));
      return;
    }
    if (rest.size() < *needed) {
      break;
    }
    offset += *needed;
    if (!handleMessage(conn, decode(rest.first(*needed), conn->context))) {
      return;
    }
  }
  if (!current(conn)) {
    return;
  }
  conn->in.erase(conn->in.begin(), conn->in.begin() + static_cast<std::ptrdiff_t>(offset));
  startReading(conn);
}

// Returns whether to go on reading this connection.
bool Session::Impl::handleMessage(const ConnPtr& conn,
                                  std::expected<Message, DecodeError> message) {
  ++counters_.messages_received;
  const Connection role = conn->role;
  if (!message) {
    const DecodeError& error = message.error();
    if (error.fatal()) {
      feed(MessageErrorEvent{role, error.notification, error.toString()});
      return false;
    }
    // RFC 7606: the session stays; vipd keeps no received route, so either action is a drop.
    ++counters_.updates_received;
    ++counters_.updates_malformed;
    log_->warn("malformed update peer={} error=\"{}\"", name_, error.toString());
    feed(UpdateReceivedEvent{role});
    return current(conn);
  }

  if (auto* open = std::get_if<Open>(&*message)) {
    feed(OpenReceivedEvent{role, std::move(*open)});
    if (current(conn) && fsm_.connectionState(role) == SessionState::OpenConfirm) {
      conn->context = fsm_.negotiated()->codec;
    }
  } else if (const auto* update = std::get_if<Update>(&*message)) {
    ++counters_.updates_received;
    counters_.prefixes_received += prefixCount(*update);
    feed(UpdateReceivedEvent{role});
  } else if (const auto* notification = std::get_if<Notification>(&*message)) {
    ++counters_.notifications_received;
    const auto text = notification->shutdownCommunication();
    log_->warn("notification received peer={} error={} message=\"{}\"", name_, notification->name(),
               text.value_or(""));
    feed(NotificationReceivedEvent{role, *notification});
  } else if (std::holds_alternative<Keepalive>(*message)) {
    feed(KeepaliveReceivedEvent{role});
  } else if (const auto* refresh = std::get_if<RouteRefresh>(&*message)) {
    // RFC 2918 4: a family the session did not negotiate is ignored.
    if (conn->context.carries(refresh->family)) {
      feed(RouteRefreshReceivedEvent{role});
    }
  }
  return current(conn);
}

// --- Writing ----------------------------------------------------------------------------

void Session::Impl::queue(const ConnPtr& conn, std::vector<std::uint8_t> bytes) {
  if (!conn || conn->closed || conn->half_closed) {
    return;
  }
  ++counters_.messages_sent;
  conn->pending.insert(conn->pending.end(), bytes.begin(), bytes.end());
  if (conn->write_in_progress) {
    return;
  }
  if (conn->pending.size() >= kWriteAtOnce && !conn->closing) {
    writeNow(conn);
    return;
  }
  if (conn->flush_posted) {
    return;
  }
  // One write for everything queued in this turn of the loop.
  conn->flush_posted = true;
  asio::post(io_, guarded([this, conn] {
               conn->flush_posted = false;
               if (!conn->write_in_progress) {  // writeNow() may have started one since
                 flush(conn);
               }
             }));
}

// What the socket takes now is written now, the rest by an asynchronous write. The first
// parts of a big reload's UPDATEs reach the router while the speaker decides the next ones.
// An error is left to that write, which reports it from the loop, not from inside a caller.
void Session::Impl::writeNow(const ConnPtr& conn) {
  boost::system::error_code error;
  if (!conn->socket.non_blocking()) {
    conn->socket.non_blocking(true, error);
  }
  const std::size_t written =
      error ? 0 : conn->socket.write_some(asio::buffer(conn->pending), error);
  conn->pending.erase(conn->pending.begin(),
                      conn->pending.begin() + static_cast<std::ptrdiff_t>(written));
  if (!conn->pending.empty()) {
    flush(conn);
  }
}

void Session::Impl::flush(const ConnPtr& conn) {
  if (conn->closed) {
    return;
  }
  if (conn->pending.empty()) {
    if (conn->closing) {
      halfClose(conn);
    }
    return;
  }
  conn->writing.swap(conn->pending);
  conn->pending.clear();
  conn->write_in_progress = true;
  asio::async_write(conn->socket, asio::buffer(conn->writing),
                    guarded([this, conn](const boost::system::error_code& error, std::size_t) {
                      conn->write_in_progress = false;
                      conn->writing.clear();
                      if (error) {
                        if (conn->closing) {
                          closeNow(conn);
                        } else if (current(conn)) {
                          feed(TcpClosedEvent{conn->role});
                        }
                        return;
                      }
                      flush(conn);
                    }));
}

void Session::Impl::sendRoutes(std::span<const Announcement> announcements,
                               std::span<const Prefix> withdrawals) {
  const auto connection = fsm_.establishedConnection();
  if (!connection) {
    return;
  }
  const ConnPtr& conn = slot(*connection);
  std::vector<std::uint8_t> bytes;
  const auto updates = encodeUpdates(announcements, withdrawals, conn->context, bytes);
  if (!updates) {
    log_->error("updates not encodable peer={} error=\"{}\"", name_, updates.error().reason);
    return;
  }
  counters_.updates_sent += *updates;
  for (const Announcement& announcement : announcements) {
    counters_.prefixes_announced += announcement.prefixes.size();
  }
  counters_.prefixes_withdrawn += withdrawals.size();
  queue(conn, std::move(bytes));
}

void Session::Impl::sendEndOfRib() {
  const auto connection = fsm_.establishedConnection();
  if (!connection) {
    return;
  }
  // RFC 4724 2: recommended after the initial table, graceful restart or not.
  const ConnPtr& conn = slot(*connection);
  std::vector<std::uint8_t> bytes;
  UpdatePacker packer(conn->context, bytes);
  for (const Afi afi : {Afi::Ipv4, Afi::Ipv6}) {
    if (conn->context.carries(afi)) {
      packer.endOfRib(afi);
    }
  }
  counters_.updates_sent += packer.messages();
  queue(conn, std::move(bytes));
}

// --- Timers -----------------------------------------------------------------------------

void Session::Impl::armTimer(TimerId id, Seconds after) {
  auto& timer = timers_[id];
  if (!timer) {
    timer = std::make_unique<asio::steady_timer>(io_);
  }
  const std::uint64_t generation = ++timer_generation_[id];
  timer->expires_after(after);
  timer->async_wait(guarded([this, id, generation](const boost::system::error_code& error) {
    if (error || timer_generation_[id] != generation) {
      return;
    }
    feed(TimerExpiredEvent{id});
  }));
}

void Session::Impl::cancelTimer(TimerId id) {
  ++timer_generation_[id];
  if (const auto it = timers_.find(id); it != timers_.end()) {
    it->second->cancel();
  }
}

// --- Status -----------------------------------------------------------------------------

std::optional<PeerSession> Session::Impl::peerSession() const {
  const auto connection = fsm_.establishedConnection();
  if (!connection || !fsm_.negotiated()) {
    return std::nullopt;
  }
  PeerSession session;
  session.internal = fsm_.internal();
  session.ipv4_unicast = fsm_.negotiated()->codec.ipv4_unicast;
  session.ipv6_unicast = fsm_.negotiated()->codec.ipv6_unicast;
  boost::system::error_code ec;
  const auto local = conns_[static_cast<std::size_t>(*connection)]->socket.local_endpoint(ec);
  if (!ec) {
    const IpAddress address = fromAsio(local.address());
    (address.isV4() ? session.local_ipv4 : session.local_ipv6) = address;
  }
  return session;
}

SessionStatus Session::Impl::status() const {
  SessionStatus status;
  status.name = name_;
  status.state = fsm_.state();
  status.since = since_;
  status.last_reason = last_reason_;
  status.negotiated = fsm_.negotiated();
  status.last_error = fsm_.lastError();
  status.counters = counters_;
  if (const auto connection = fsm_.establishedConnection()) {
    boost::system::error_code ec;
    const auto& socket = conns_[static_cast<std::size_t>(*connection)]->socket;
    const auto local = socket.local_endpoint(ec);
    if (!ec) {
      status.local_address = fromAsio(local.address());
      status.local_port = local.port();
    }
    const auto remote = socket.remote_endpoint(ec);
    if (!ec) {
      status.remote_port = remote.port();
    }
  }
  return status;
}

// --- Session ----------------------------------------------------------------------------

Session::Session(asio::io_context& io, FsmSettings settings, Callbacks callbacks)
    : impl_(std::make_unique<Impl>(*this, io, std::move(settings), std::move(callbacks))) {}

Session::~Session() = default;

const std::string& Session::name() const {
  return impl_->name();
}
const PeerSettings& Session::peer() const {
  return impl_->peer();
}
void Session::start() {
  impl_->start();
}
void Session::stop(std::optional<Notification> notification, std::function<void()> closed) {
  impl_->stop(std::move(notification), std::move(closed));
}
void Session::adoptIncoming(int fd) {
  impl_->adoptIncoming(fd);
}
void Session::sendRoutes(std::span<const Announcement> announcements,
                         std::span<const Prefix> withdrawals) {
  impl_->sendRoutes(announcements, withdrawals);
}
void Session::sendEndOfRib() {
  impl_->sendEndOfRib();
}
bool Session::established() const {
  return impl_->established();
}
std::optional<PeerSession> Session::peerSession() const {
  return impl_->peerSession();
}
SessionStatus Session::status() const {
  return impl_->status();
}

}  // namespace vipd::bgp
