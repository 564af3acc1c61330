#include "control/control_server.h"

#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <deque>
#include <filesystem>
#include <set>
#include <system_error>

#include "common/log.h"
#include "control/command_dispatcher.h"

namespace vipd::control {

namespace asio = boost::asio;
using Protocol = asio::local::stream_protocol;

namespace {

Caller peerCredentials(Protocol::socket& socket) {
  ucred credentials{};
  socklen_t length = sizeof(credentials);
  Caller caller;
  if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0) {
    caller.uid = credentials.uid;
    caller.gid = credentials.gid;
    caller.pid = credentials.pid;
  }
  return caller;
}

// Removes a socket left by a vipd that died; refuses to touch a live one or another file.
std::expected<void, std::string> clearPath(asio::io_context& io, const std::string& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) {
    return {};
  }
  if (!S_ISSOCK(info.st_mode)) {
    return std::unexpected(path + " exists and is not a socket");
  }
  Protocol::socket probe(io);
  boost::system::error_code error;
  probe.connect(Protocol::endpoint(path), error);
  if (!error) {
    return std::unexpected("another process listens on " + path);
  }
  std::filesystem::remove(path, error);
  return {};
}

std::expected<void, std::string> makeFolder(const std::string& path) {
  const auto folder = std::filesystem::path(path).parent_path();
  std::error_code error;
  if (folder.empty() || std::filesystem::exists(folder, error)) {
    return {};
  }
  std::filesystem::create_directories(folder, error);
  if (error) {
    return std::unexpected("cannot create " + folder.string() + ": " + error.message());
  }
  std::filesystem::permissions(folder, std::filesystem::perms(0755), error);
  return {};
}

std::expected<void, std::string> setOwnership(const std::string& path, mode_t mode,
                                              const std::string& group) {
  if (!group.empty()) {
    const auto* entry = ::getgrnam(group.c_str());
    if (entry == nullptr) {
      return std::unexpected("no group named " + group);
    }
    if (::chown(path.c_str(), static_cast<uid_t>(-1), entry->gr_gid) != 0) {
      return std::unexpected("cannot give " + path + " to group " + group + ": " +
                             std::system_category().message(errno));
    }
  }
  if (::chmod(path.c_str(), mode) != 0) {
    return std::unexpected("cannot set the mode of " + path + ": " +
                           std::system_category().message(errno));
  }
  return {};
}

}  // namespace

// One client connection: read a request, write its reply frames, read the next.
class Session : public std::enable_shared_from_this<Session> {
 public:
  using Closed = std::function<void(Session*)>;

  Session(Protocol::socket socket, CommandDispatcher& dispatcher,
          const ControlServerOptions& options, bool read_only, Closed closed)
      : socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        dispatcher_(dispatcher),
        options_(options),
        read_only_(read_only),
        closed_(std::move(closed)) {}

  void start() {
    caller_ = peerCredentials(socket_);
    log::get("control")->debug("control client connected caller_uid={} caller_pid={} read_only={}",
                               caller_.uid, caller_.pid, read_only_);
    send({dispatcher_.hello(read_only_)}, false);
  }

  void close() {
    if (!open_) {
      return;
    }
    open_ = false;
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.shutdown(Protocol::socket::shutdown_both, ignored);
    socket_.close(ignored);
    closed_(this);
  }

 private:
  void doReadHeader() {
    armTimer();
    asio::async_read(
        socket_, asio::buffer(header_),
        [self = shared_from_this()](auto error, std::size_t) { self->afterReadHeader(error); });
  }

  void afterReadHeader(const boost::system::error_code& error) {
    if (error) {
      close();
      return;
    }
    const auto length = FrameCodec::decodeLength(header_);
    if (length > options_.max_frame_size) {
      log::get("control")->warn(
          "control request refused reason=too-large size={} limit={} caller_uid={}", length,
          options_.max_frame_size, caller_.uid);
      send({CommandDispatcher::result(RESULT_TOO_LARGE,
                                      "request of " + std::to_string(length) +
                                          " bytes exceeds the limit of " +
                                          std::to_string(options_.max_frame_size))},
           true);
      return;
    }
    body_.assign(length, '\0');
    asio::async_read(socket_, asio::buffer(body_),
                     [self = shared_from_this()](auto read_error, std::size_t) {
                       self->afterReadBody(read_error);
                     });
  }

  void afterReadBody(const boost::system::error_code& error) {
    if (error) {
      close();
      return;
    }
    timer_.cancel();
    auto request = FrameCodec::decodeRequest(body_);
    if (!request) {
      log::get("control")->warn("control request refused reason=malformed caller_uid={}",
                                caller_.uid);
      send({CommandDispatcher::result(RESULT_BAD_REQUEST, request.error())}, true);
      return;
    }
    auto frames = dispatcher_.dispatch(*request, caller_, read_only_);
    const auto code = frames.back().result().code();
    const bool fatal = code == RESULT_UNSUPPORTED_VERSION || code == RESULT_UNKNOWN_COMMAND;
    send(std::move(frames), fatal);
  }

  void send(std::vector<Reply> frames, bool close_after) {
    for (const auto& frame : frames) {
      outgoing_.push_back(FrameCodec::encode(frame));
    }
    close_after_ = close_after;
    doWrite();
  }

  // One frame at a time, so that a long `show` streams instead of waiting in one buffer.
  void doWrite() {
    if (outgoing_.empty()) {
      if (close_after_) {
        close();
      } else {
        doReadHeader();
      }
      return;
    }
    asio::async_write(
        socket_, asio::buffer(outgoing_.front()),
        [self = shared_from_this()](auto error, std::size_t) { self->afterWrite(error); });
  }

  void afterWrite(const boost::system::error_code& error) {
    if (error) {
      close();
      return;
    }
    outgoing_.pop_front();
    doWrite();
  }

  void armTimer() {
    timer_.expires_after(options_.idle_timeout);
    timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& error) {
      auto self = weak.lock();
      if (error || !self || !self->open_) {
        return;
      }
      log::get("control")->info("control client timed out caller_uid={} caller_pid={}",
                                self->caller_.uid, self->caller_.pid);
      self->close();
    });
  }

  Protocol::socket socket_;
  asio::steady_timer timer_;
  CommandDispatcher& dispatcher_;
  const ControlServerOptions& options_;
  bool read_only_;
  Closed closed_;
  Caller caller_;
  bool open_ = true;
  bool close_after_ = false;
  FrameCodec::Header header_{};
  std::string body_;
  std::deque<std::string> outgoing_;
};

class ControlServer::Impl {
 public:
  Impl(asio::io_context& io, DaemonView& view, ControlServerOptions options)
      : io_(io), dispatcher_(view), options_(std::move(options)) {}

  std::expected<void, std::string> start() {
    auto main = listen(options_.path, 0660, options_.group, false);
    if (!main) {
      return main;
    }
    if (!options_.read_only_path.empty()) {
      auto read_only = listen(options_.read_only_path, 0666, "", true);
      if (!read_only) {
        stop();
        return read_only;
      }
    }
    return {};
  }

  void stop() {
    for (auto& listener : listeners_) {
      boost::system::error_code ignored;
      listener.acceptor->close(ignored);
      std::filesystem::remove(listener.path, ignored);
    }
    listeners_.clear();
    const auto sessions = sessions_;
    for (const auto& session : sessions) {
      session->close();
    }
  }

  std::size_t clients() const { return sessions_.size(); }

 private:
  struct Listener {
    std::string path;
    bool read_only = false;
    std::unique_ptr<Protocol::acceptor> acceptor;
  };

  std::expected<void, std::string> listen(const std::string& path, mode_t mode,
                                          const std::string& group, bool read_only) {
    if (auto folder = makeFolder(path); !folder) {
      return folder;
    }
    if (auto cleared = clearPath(io_, path); !cleared) {
      return cleared;
    }
    auto acceptor = std::make_unique<Protocol::acceptor>(io_);
    boost::system::error_code error;
    acceptor->open(Protocol(), error);
    if (!error) {
      acceptor->bind(Protocol::endpoint(path), error);
    }
    if (!error) {
      acceptor->listen(asio::socket_base::max_listen_connections, error);
    }
    if (error) {
      return std::unexpected("cannot listen on " + path + ": " + error.message());
    }
    if (auto owned = setOwnership(path, mode, group); !owned) {
      return owned;
    }
    log::get("control")->info("control socket listening path={} read_only={}", path, read_only);
    listeners_.push_back({path, read_only, std::move(acceptor)});
    doAccept(listeners_.back());
    return {};
  }

  void doAccept(Listener& listener) {
    listener.acceptor->async_accept(
        [this, &listener](const boost::system::error_code& error, Protocol::socket socket) {
          if (error == asio::error::operation_aborted) {
            return;
          }
          if (!error) {
            afterAccept(std::move(socket), listener.read_only);
          }
          doAccept(listener);
        });
  }

  void afterAccept(Protocol::socket socket, bool read_only) {
    if (sessions_.size() >= options_.max_clients) {
      log::get("control")->warn("control client refused reason=too-many-clients limit={}",
                                options_.max_clients);
      return;
    }
    auto session = std::make_shared<Session>(std::move(socket), dispatcher_, options_, read_only,
                                             [this](Session* closed) { forget(closed); });
    sessions_.insert(session);
    session->start();
  }

  void forget(Session* closed) {
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (it->get() == closed) {
        sessions_.erase(it);
        return;
      }
    }
  }

  asio::io_context& io_;
  CommandDispatcher dispatcher_;
  ControlServerOptions options_;
  std::deque<Listener> listeners_;
  std::set<std::shared_ptr<Session>> sessions_;
};

ControlServer::ControlServer(asio::io_context& io, DaemonView& view, ControlServerOptions options)
    : impl_(std::make_unique<Impl>(io, view, std::move(options))) {}

ControlServer::~ControlServer() {
  impl_->stop();
}

std::expected<void, std::string> ControlServer::start() {
  return impl_->start();
}

void ControlServer::stop() {
  impl_->stop();
}

std::size_t ControlServer::clients() const {
  return impl_->clients();
}

}  // namespace vipd::control
