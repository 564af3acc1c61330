// Session: one peer's BGP session over TCP. It runs a SessionFsm (session_fsm.h): executes
// its actions (connect, send, close, timers on the io_context) and feeds it the events of
// its connections (at most two: the one vipd opens, the one the peer opens).
//
//   - Outgoing connections: IPv4 or IPv6, from the configured local address and port,
//     with the TCP MD5 key (RFC 2385) and the TTL or TTL security (RFC 5082) set before
//     connect(). Incoming ones are accepted by a Listener (listener.h), shared by every
//     peer, which matches them to their Session by the peer's address.
//   - Reads are framed with the codec (nextMessageSize, then decode exactly one message);
//     writes are queued and go out together, one write per loop turn at most.
//   - A message that does not decode is answered with the codec's NOTIFICATION and
//     closes this peer's connection alone. Received UPDATEs are decoded (which validates
//     them, RFC 7606), counted and dropped: vipd is a speaker, not a router.
//
// Routes to send come from the owner (BgpService) as announcements and withdrawals, packed
// into as few UPDATEs as fit (update_packer.h) with the negotiated codec context.
// Asio stays in session.cc; this header has none of it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bgp/session_fsm.h"
#include "bgp/speaker.h"
#include "bgp/update_packer.h"

namespace boost::asio {
class io_context;
}

namespace vipd::bgp {

struct SessionCounters {
  std::uint64_t messages_received = 0;
  std::uint64_t messages_sent = 0;
  std::uint64_t updates_received = 0;   // decoded, counted and dropped
  std::uint64_t updates_malformed = 0;  // RFC 7606 treat-as-withdraw or attribute-discard
  std::uint64_t prefixes_received = 0;  // announced to us (and ignored)
  std::uint64_t updates_sent = 0;
  std::uint64_t prefixes_announced = 0;  // sent, counting each UPDATE's prefixes
  std::uint64_t prefixes_withdrawn = 0;
  std::uint64_t notifications_sent = 0;
  std::uint64_t notifications_received = 0;
  std::uint64_t connections_refused = 0;
  std::uint64_t established_count = 0;  // times the session reached Established
};

// What `show protocols all` shows of a session.
struct SessionStatus {
  std::string name;
  SessionState state = SessionState::Idle;
  std::chrono::system_clock::time_point since;  // of the last state change
  FsmReason last_reason = FsmReason::Started;
  std::optional<Negotiated> negotiated;
  std::optional<LastError> last_error;
  std::optional<IpAddress> local_address;  // of the Established connection
  std::uint16_t local_port = 0;
  std::uint16_t remote_port = 0;
  SessionCounters counters;
  bool enabled = true;  // false after `vipc disable protocol`, until `enable protocol`
};

class Session {
 public:
  struct Callbacks {
    // The session is Established: send it every route (then End-of-RIB is sent by itself).
    std::function<void(Session&)> established;
    // It was Established and is not any more.
    std::function<void(Session&, FsmReason)> down;
    // The peer asked for every route again (RFC 2918).
    std::function<void(Session&)> route_refresh;
  };

  Session(boost::asio::io_context& io, FsmSettings settings, Callbacks callbacks);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const std::string& name() const;
  const PeerSettings& peer() const;

  void start();
  // Closes every connection, sending notification first (none: silently, for graceful
  // restart), and stays Idle until start(). A connection closes in order: the NOTIFICATION
  // written, then our side shut down (FIN), what the peer still sends read and dropped until
  // it closes its side too, or close_wait_time passes. closed, if given, is called once
  // every connection open at the stop is closed.
  void stop(std::optional<Notification> notification, std::function<void()> closed = {});

  // A connection the peer opened, accepted by the listener: the session takes the socket
  // (a connected TCP file descriptor) and closes it if the FSM refuses it.
  void adoptIncoming(int fd);

  // Routes for the Established session; ignored when there is none.
  void sendRoutes(std::span<const Announcement> announcements, std::span<const Prefix> withdrawals);
  // End-of-RIB of every negotiated family, where graceful restart was negotiated (RFC 4724 2).
  void sendEndOfRib();

  bool established() const;
  // What the speaker needs of the Established session: internal or not, local addresses
  // and families.
  std::optional<PeerSession> peerSession() const;
  SessionStatus status() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vipd::bgp
