#include "ipvs/netlink_backend.h"

#include <fmt/format.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <deque>
#include <map>
#include <optional>
#include <span>
#include <utility>

#include "common/log.h"

namespace vipd::ipvs {

namespace {

// Requests in flight at once. The kernel answers each request inside the send, so the
// answers to a whole window wait in the socket's receive buffer: 64 small acknowledgements
// fit in the default buffer with room to spare, where an unbounded batch would overflow it
// and lose answers (ENOBUFS).
constexpr std::size_t kApplyWindow = 64;
// A dump streams its answer as the socket is read; the kernel runs one dump per socket.
constexpr std::size_t kDumpWindow = 1;
constexpr std::size_t kDatagramBytes = 32 * 1024;
constexpr std::size_t kReceiveBytes = 64 * 1024;

constexpr std::string_view kNoIpvs = "the kernel lacks IPVS: load ip_vs or run with --dry-run";
constexpr std::string_view kNoCapability = "vipd needs the CAP_NET_ADMIN capability";

std::shared_ptr<spdlog::logger> logger() {
  return log::get("ipvs");
}

std::string requestError(std::string_view what, int error) {
  if (error == EPERM) {
    return std::string(kNoCapability);
  }
  return fmt::format("{}: {}", what, errorText(error));
}

// The generic netlink socket, connected, with the IPVS family resolved.
class Socket {
 public:
  static std::expected<Socket, std::string> open() {
    Socket socket(nl_socket_alloc());
    if (socket.sock_ == nullptr) {
      return std::unexpected("cannot allocate a netlink socket");
    }
    if (const int rc = genl_connect(socket.sock_.get()); rc < 0) {
      return std::unexpected(
          fmt::format("cannot open a generic netlink socket: {}", nl_geterror(rc)));
    }

    const int family = genl_ctrl_resolve(socket.sock_.get(), IPVS_GENL_NAME);
    if (family == -NLE_OBJ_NOTFOUND) {
      return std::unexpected(std::string(kNoIpvs));
    }
    if (family < 0) {
      return std::unexpected(
          fmt::format("cannot resolve the IPVS netlink family: {}", nl_geterror(family)));
    }
    socket.family_ = family;

    // An error's acknowledgement need not echo the whole request.
    const int one = 1;
    setsockopt(socket.fd(), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
    return socket;
  }

  int fd() const { return nl_socket_get_fd(sock_.get()); }
  int family() const { return family_; }
  void setNonBlocking() { nl_socket_set_nonblocking(sock_.get()); }

  // 0, or the errno of a send that did not reach the kernel.
  int send(std::span<const std::uint8_t> datagram) const {
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    while (true) {
      const ssize_t sent = ::sendto(fd(), datagram.data(), datagram.size(), 0,
                                    reinterpret_cast<const sockaddr*>(&kernel), sizeof kernel);
      if (sent >= 0) {
        return 0;
      }
      if (errno != EINTR) {
        return errno;
      }
    }
  }

  // One datagram into `buffer`: its size, or -errno (-EAGAIN when nothing is waiting).
  ssize_t receive(std::vector<std::uint8_t>& buffer, int flags) const {
    while (true) {
      const ssize_t size = ::recv(fd(), buffer.data(), buffer.size(), flags | MSG_TRUNC);
      if (size >= 0) {
        return static_cast<std::size_t>(size) > buffer.size() ? -EMSGSIZE : size;
      }
      if (errno != EINTR) {
        return -errno;
      }
    }
  }

 private:
  explicit Socket(nl_sock* sock) : sock_(sock, nl_socket_free) {}

  std::unique_ptr<nl_sock, void (*)(nl_sock*)> sock_;
  int family_ = 0;
};

// One request as a netlink message: netlink and generic netlink headers, then attributes.
void appendRequest(std::vector<std::uint8_t>& out, int family, std::uint32_t sequence,
                   const netlink::Request& request) {
  std::unique_ptr<nl_msg, void (*)(nl_msg*)> message(nlmsg_alloc(), nlmsg_free);
  const int flags = NLM_F_REQUEST | (request.dump ? NLM_F_DUMP : NLM_F_ACK);
  genlmsg_put(message.get(), NL_AUTO_PORT, sequence, family, 0, flags, request.command,
              IPVS_GENL_VERSION);
  std::vector<std::uint8_t> attributes = request.attributes;
  nlmsg_append(message.get(), attributes.data(), attributes.size(), NLMSG_ALIGNTO);

  const nlmsghdr* header = nlmsg_hdr(message.get());
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(header);
  out.insert(out.end(), bytes, bytes + header->nlmsg_len);
}

// One message of an answer.
struct Reply {
  enum class Kind : std::uint8_t { Data, Ack, Done, Ignored };

  Kind kind = Kind::Ignored;
  std::uint32_t sequence = 0;
  int error = 0;  // Ack and Done: 0 or an errno
  std::span<const std::uint8_t> attributes;
};

Reply readReply(nlmsghdr* header) {
  Reply reply;
  reply.sequence = header->nlmsg_seq;
  const int payload = nlmsg_datalen(header);

  if (header->nlmsg_type == NLMSG_ERROR || header->nlmsg_type == NLMSG_DONE) {
    reply.kind = header->nlmsg_type == NLMSG_ERROR ? Reply::Kind::Ack : Reply::Kind::Done;
    if (payload >= static_cast<int>(sizeof(int))) {
      reply.error = -*static_cast<const int*>(nlmsg_data(header));
    } else if (reply.kind == Reply::Kind::Ack) {
      reply.error = EBADMSG;
    }
    return reply;
  }
  if (header->nlmsg_type < NLMSG_MIN_TYPE || genlmsg_valid_hdr(header, 0) == 0) {
    return reply;
  }

  const auto* genl = static_cast<const genlmsghdr*>(nlmsg_data(header));
  reply.kind = Reply::Kind::Data;
  reply.attributes = {reinterpret_cast<const std::uint8_t*>(genlmsg_attrdata(genl, 0)),
                      static_cast<std::size_t>(genlmsg_attrlen(genl, 0))};
  return reply;
}

template <typename Handle>
void forEachMessage(std::span<std::uint8_t> datagram, Handle handle) {
  auto* header = reinterpret_cast<nlmsghdr*>(datagram.data());
  int remaining = static_cast<int>(datagram.size());
  while (nlmsg_ok(header, remaining) != 0) {
    handle(header);
    header = nlmsg_next(header, &remaining);
  }
}

// GET_INFO on a blocking socket, for the start-up checks.
std::expected<KernelInfo, std::string> blockingInfo(const Socket& socket) {
  constexpr std::uint32_t kSequence = 1;
  std::vector<std::uint8_t> datagram;
  appendRequest(datagram, socket.family(), kSequence, netlink::buildGetInfo());
  if (const int error = socket.send(datagram); error != 0) {
    return std::unexpected(requestError("cannot send IPVS_CMD_GET_INFO", error));
  }

  std::vector<std::uint8_t> buffer(kReceiveBytes);
  std::optional<std::expected<KernelInfo, std::string>> info;
  std::optional<int> ack;
  while (!ack) {
    const ssize_t size = socket.receive(buffer, 0);
    if (size < 0) {
      return std::unexpected(
          requestError("cannot read IPVS_CMD_GET_INFO", static_cast<int>(-size)));
    }
    forEachMessage(std::span(buffer).first(static_cast<std::size_t>(size)), [&](nlmsghdr* header) {
      const Reply reply = readReply(header);
      if (reply.sequence != kSequence) {
        return;
      }
      if (reply.kind == Reply::Kind::Data) {
        info = netlink::parseInfo(reply.attributes);
      } else if (reply.kind == Reply::Kind::Ack) {
        ack = reply.error;
      }
    });
  }

  if (*ack != 0) {
    return std::unexpected(requestError("IPVS_CMD_GET_INFO failed", *ack));
  }
  if (!info) {
    return std::unexpected("IPVS_CMD_GET_INFO: the kernel sent no answer");
  }
  return *info;
}

std::vector<OperationResult> toResults(std::vector<Operation> operations,
                                       const std::vector<int>& errors) {
  std::vector<OperationResult> results;
  results.reserve(operations.size());
  std::size_t failed = 0;
  for (std::size_t i = 0; i < operations.size(); ++i) {
    OperationResult result{std::move(operations[i]), errors[i], {}};
    if (!result.ok()) {
      result.message = errorText(result.error);
      logger()->warn("kernel refused operation operation=\"{}\" error=\"{}\"",
                     toIpvsadm(result.operation), result.message);
      ++failed;
    }
    results.push_back(std::move(result));
  }
  logger()->debug("operations applied count={} failed={}", results.size(), failed);
  return results;
}

}  // namespace

// The socket, watched by the io_context; the jobs, run one at a time; the requests of the
// running job's current exchange, keyed by sequence number.
class NetlinkBackend::Session : public std::enable_shared_from_this<Session> {
 public:
  using ReplyHandler = std::function<void(std::size_t index, std::span<const std::uint8_t>)>;
  // Each request's errno (0: success), in the order of the requests.
  using ExchangeDone = std::function<void(std::vector<int> errors)>;

  Session(boost::asio::io_context& io, Socket socket)
      : io_(io),
        socket_(std::move(socket)),
        descriptor_(io, socket_.fd()),
        receive_buffer_(kReceiveBytes) {}

  ~Session() {
    // The descriptor belongs to the libnl socket, which closes it.
    descriptor_.release();
  }

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  template <typename Handler>
  void post(Handler handler) {
    boost::asio::post(io_, std::move(handler));
  }

  void enqueue(std::function<void()> job) {
    if (closed_) {
      return;
    }
    jobs_.push_back(std::move(job));
    if (!running_) {
      startNextJob();
    }
  }

  // Called by a job when its last exchange has finished. The next job starts from the
  // io_context, so that a long queue does not grow the stack.
  void finishJob() {
    running_ = false;
    if (!jobs_.empty()) {
      post([weak = weak_from_this()] {
        if (auto self = weak.lock(); self && !self->running_) {
          self->startNextJob();
        }
      });
    }
  }

  // Sends `requests`, at most `window` in flight; `on_reply` sees each data message of an
  // answer (with its request's index), `done` every request's result once all are in.
  void exchange(std::vector<netlink::Request> requests, std::size_t window, ReplyHandler on_reply,
                ExchangeDone done) {
    const std::size_t count = requests.size();
    exchange_.emplace(Exchange{std::move(requests),
                               std::vector<int>(count, 0),
                               0,
                               0,
                               window,
                               std::move(on_reply),
                               std::move(done),
                               {}});
    sendMore();
    completeIfDone();
    if (exchange_ && !waiting_) {
      waitReadable();
    }
  }

  void close() {
    closed_ = true;
    jobs_.clear();
    exchange_.reset();
    boost::system::error_code ignored;
    descriptor_.cancel(ignored);
  }

  int family() const { return socket_.family(); }

 private:
  struct Exchange {
    std::vector<netlink::Request> requests;
    std::vector<int> errors;
    std::size_t next = 0;  // the first request not sent yet
    std::size_t finished = 0;
    std::size_t window = 1;
    ReplyHandler on_reply;
    ExchangeDone done;
    std::map<std::uint32_t, std::size_t> in_flight;  // sequence -> request index
  };

  void startNextJob() {
    if (jobs_.empty() || closed_) {
      return;
    }
    running_ = true;
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    job();
  }

  // Refills the window once half of it is answered, so that each send carries many
  // requests rather than one a reply.
  void sendMore() {
    Exchange& exchange = *exchange_;
    if (exchange.in_flight.size() > exchange.window / 2) {
      return;
    }
    std::vector<std::uint8_t> datagram;
    while (exchange.next < exchange.requests.size() &&
           exchange.in_flight.size() < exchange.window) {
      datagram.clear();
      std::vector<std::uint32_t> sent;
      while (exchange.next < exchange.requests.size() &&
             exchange.in_flight.size() < exchange.window && datagram.size() < kDatagramBytes) {
        const std::uint32_t sequence = next_sequence_++;
        appendRequest(datagram, socket_.family(), sequence, exchange.requests[exchange.next]);
        exchange.in_flight.emplace(sequence, exchange.next++);
        sent.push_back(sequence);
      }

      if (const int error = socket_.send(datagram); error != 0) {
        logger()->warn("netlink send failed requests={} error=\"{}\"", sent.size(),
                       errorText(error));
        for (const std::uint32_t sequence : sent) {
          finishRequest(sequence, error);
        }
      }
    }
  }

  void finishRequest(std::uint32_t sequence, int error) {
    Exchange& exchange = *exchange_;
    const auto found = exchange.in_flight.find(sequence);
    if (found == exchange.in_flight.end()) {
      return;
    }
    exchange.errors[found->second] = error;
    exchange.in_flight.erase(found);
    ++exchange.finished;
  }

  // The exchange is moved out before `done` runs: `done` may start the next exchange.
  void completeIfDone() {
    if (!exchange_ || exchange_->finished < exchange_->requests.size()) {
      return;
    }
    Exchange finished = std::move(*exchange_);
    exchange_.reset();
    finished.done(std::move(finished.errors));
  }

  void waitReadable() {
    waiting_ = true;
    descriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                           [self = shared_from_this()](const boost::system::error_code& error) {
                             self->afterReadable(error);
                           });
  }

  void afterReadable(const boost::system::error_code& error) {
    waiting_ = false;
    if (error || closed_) {
      return;
    }

    while (exchange_) {
      const ssize_t size = socket_.receive(receive_buffer_, MSG_DONTWAIT);
      if (size == -EAGAIN || size == -EWOULDBLOCK) {
        break;
      }
      if (size < 0) {
        failExchange(static_cast<int>(-size));
        continue;
      }
      handleDatagram(std::span(receive_buffer_).first(static_cast<std::size_t>(size)));
    }

    if (exchange_ && !waiting_) {
      waitReadable();
    }
  }

  void handleDatagram(std::span<std::uint8_t> datagram) {
    forEachMessage(datagram, [this](nlmsghdr* header) {
      if (!exchange_) {
        return;
      }
      const Reply reply = readReply(header);
      const auto found = exchange_->in_flight.find(reply.sequence);
      if (found == exchange_->in_flight.end() || reply.kind == Reply::Kind::Ignored) {
        return;
      }
      if (reply.kind == Reply::Kind::Data) {
        if (exchange_->on_reply) {
          exchange_->on_reply(found->second, reply.attributes);
        }
        return;
      }
      finishRequest(reply.sequence, reply.error);
    });

    if (exchange_) {
      sendMore();
    }
    completeIfDone();
  }

  // The socket lost answers (ENOBUFS) or failed: what is still outstanding cannot be
  // known, so it all fails with that errno; a dump afterwards shows what the kernel holds.
  void failExchange(int error) {
    logger()->error("netlink receive failed error=\"{}\"", errorText(error));
    Exchange& exchange = *exchange_;
    for (std::size_t i = exchange.next; i < exchange.requests.size(); ++i) {
      exchange.errors[i] = error;
      ++exchange.finished;
    }
    exchange.next = exchange.requests.size();
    while (!exchange.in_flight.empty()) {
      finishRequest(exchange.in_flight.begin()->first, error);
    }
    completeIfDone();
  }

  boost::asio::io_context& io_;
  Socket socket_;
  boost::asio::posix::stream_descriptor descriptor_;
  std::vector<std::uint8_t> receive_buffer_;
  std::deque<std::function<void()>> jobs_;
  std::optional<Exchange> exchange_;
  std::uint32_t next_sequence_ = 1;
  bool running_ = false;
  bool waiting_ = false;
  bool closed_ = false;
};

namespace {

// What a dump gathers: the table, its statistics, and the first reply that did not parse.
struct TableReading {
  Table table;
  StatisticsTable statistics;
  std::vector<ServiceKey> keys;  // in the order of the destination dumps
  std::optional<std::string> error;
};

using TablesDone = std::function<void(std::expected<TableReading, std::string>)>;

void afterServices(NetlinkBackend::Session& session, std::shared_ptr<TableReading> reading,
                   TablesDone done);

void readTables(NetlinkBackend::Session& session, TablesDone done) {
  auto reading = std::make_shared<TableReading>();
  auto on_reply = [reading](std::size_t, std::span<const std::uint8_t> attributes) {
    auto reply = netlink::parseService(attributes);
    if (!reply) {
      reading->error = reading->error.value_or("cannot read a service: " + reply.error());
      return;
    }
    const ServiceKey key = reply->service.key;
    reading->keys.push_back(key);
    reading->table.services[key] = ServiceEntry{std::move(reply->service), {}};
    reading->statistics.services[key].counters = reply->counters;
  };

  session.exchange({netlink::buildGetServices()}, kDumpWindow, std::move(on_reply),
                   [&session, reading, done](std::vector<int> errors) {
                     if (errors.front() != 0) {
                       done(std::unexpected(requestError("cannot list services", errors.front())));
                       return;
                     }
                     afterServices(session, reading, done);
                   });
}

void afterServices(NetlinkBackend::Session& session, std::shared_ptr<TableReading> reading,
                   TablesDone done) {
  std::vector<netlink::Request> requests;
  requests.reserve(reading->keys.size());
  for (const ServiceKey& key : reading->keys) {
    requests.push_back(netlink::buildGetDestinations(key));
  }

  auto on_reply = [reading](std::size_t index, std::span<const std::uint8_t> attributes) {
    const ServiceKey& key = reading->keys[index];
    auto reply = netlink::parseDestination(attributes, key.family);
    if (!reply) {
      reading->error = reading->error.value_or(
          fmt::format("cannot read a destination of {}: {}", key.toString(), reply.error()));
      return;
    }
    const DestinationKey destination = reply->destination.key;
    reading->table.services[key].destinations[destination] = std::move(reply->destination);
    reading->statistics.services[key].destinations[destination] = reply->statistics;
  };

  session.exchange(
      std::move(requests), kDumpWindow, std::move(on_reply),
      [reading, done](std::vector<int> errors) {
        for (std::size_t i = 0; i < errors.size(); ++i) {
          if (errors[i] != 0) {
            done(std::unexpected(requestError(
                "cannot list destinations of " + reading->keys[i].toString(), errors[i])));
            return;
          }
        }
        if (reading->error) {
          done(std::unexpected(*reading->error));
          return;
        }
        done(std::move(*reading));
      });
}

}  // namespace

std::expected<KernelInfo, std::string> NetlinkBackend::checkKernel() {
  auto socket = Socket::open();
  if (!socket) {
    return std::unexpected(socket.error());
  }
  return blockingInfo(*socket);
}

std::expected<std::unique_ptr<NetlinkBackend>, std::string> NetlinkBackend::open(
    boost::asio::io_context& io) {
  auto socket = Socket::open();
  if (!socket) {
    return std::unexpected(socket.error());
  }
  auto info = blockingInfo(*socket);
  if (!info) {
    return std::unexpected(info.error());
  }

  socket->setNonBlocking();
  auto session = std::make_shared<Session>(io, std::move(*socket));
  logger()->info("netlink backend ready ipvs_version={} connection_table_size={}",
                 info->versionString(), info->connection_table_size);
  return std::unique_ptr<NetlinkBackend>(new NetlinkBackend(std::move(session)));
}

NetlinkBackend::NetlinkBackend(std::shared_ptr<Session> session) : session_(std::move(session)) {}

NetlinkBackend::~NetlinkBackend() {
  session_->close();
}

void NetlinkBackend::apply(std::vector<Operation> operations, ApplyDone done) {
  Session* session = session_.get();
  session_->enqueue(
      [session, operations = std::move(operations), done = std::move(done)]() mutable {
        std::vector<netlink::Request> requests;
        requests.reserve(operations.size());
        for (const Operation& operation : operations) {
          requests.push_back(netlink::buildOperation(operation));
        }

        session->exchange(std::move(requests), kApplyWindow, nullptr,
                          [session, operations = std::move(operations),
                           done = std::move(done)](std::vector<int> errors) mutable {
                            auto results = toResults(std::move(operations), errors);
                            session->post([done, results = std::move(results)]() mutable {
                              done(std::move(results));
                            });
                            session->finishJob();
                          });
      });
}

void NetlinkBackend::dump(DumpDone done) {
  Session* session = session_.get();
  session_->enqueue([session, done = std::move(done)] {
    readTables(*session, [session, done](std::expected<TableReading, std::string> reading) {
      std::expected<Table, std::string> table =
          reading ? std::expected<Table, std::string>(std::move(reading->table))
                  : std::unexpected(reading.error());
      session->post([done, table = std::move(table)]() mutable { done(std::move(table)); });
      session->finishJob();
    });
  });
}

void NetlinkBackend::dumpStatistics(StatisticsDone done) {
  Session* session = session_.get();
  session_->enqueue([session, done = std::move(done)] {
    readTables(*session, [session, done](std::expected<TableReading, std::string> reading) {
      std::expected<StatisticsTable, std::string> statistics =
          reading ? std::expected<StatisticsTable, std::string>(std::move(reading->statistics))
                  : std::unexpected(reading.error());
      session->post(
          [done, statistics = std::move(statistics)]() mutable { done(std::move(statistics)); });
      session->finishJob();
    });
  });
}

namespace {

// One request whose answer is one data message, parsed by `parse`.
template <typename Value, typename Parse>
void requestOne(NetlinkBackend::Session& session, netlink::Request request, std::string what,
                Parse parse, std::function<void(std::expected<Value, std::string>)> done) {
  auto value = std::make_shared<std::optional<std::expected<Value, std::string>>>();
  session.exchange(
      {std::move(request)}, 1,
      [value, parse](std::size_t, std::span<const std::uint8_t> attributes) {
        *value = parse(attributes);
      },
      [&session, value, what, done](std::vector<int> errors) {
        std::expected<Value, std::string> result =
            errors.front() != 0  ? std::unexpected(requestError(what, errors.front()))
            : value->has_value() ? **value
                                 : std::unexpected(what + ": the kernel sent no answer");
        session.post([done, result = std::move(result)]() mutable { done(std::move(result)); });
        session.finishJob();
      });
}

}  // namespace

void NetlinkBackend::info(InfoDone done) {
  Session* session = session_.get();
  session_->enqueue([session, done = std::move(done)] {
    requestOne<KernelInfo>(*session, netlink::buildGetInfo(), "IPVS_CMD_GET_INFO failed",
                           netlink::parseInfo, done);
  });
}

void NetlinkBackend::timeouts(TimeoutsDone done) {
  Session* session = session_.get();
  session_->enqueue([session, done = std::move(done)] {
    requestOne<Timeouts>(*session, netlink::buildGetConfig(), "IPVS_CMD_GET_CONFIG failed",
                         netlink::parseConfig, done);
  });
}

void NetlinkBackend::setTimeouts(const Timeouts& timeouts, SetTimeoutsDone done) {
  Session* session = session_.get();
  session_->enqueue([session, timeouts, done = std::move(done)] {
    session->exchange(
        {netlink::buildSetConfig(timeouts)}, 1, nullptr, [session, done](std::vector<int> errors) {
          std::expected<void, std::string> result;
          if (errors.front() != 0) {
            result = std::unexpected(requestError("IPVS_CMD_SET_CONFIG failed", errors.front()));
          }
          session->post([done, result] { done(result); });
          session->finishJob();
        });
  });
}

}  // namespace vipd::ipvs
