// ControlServer: the control sockets of vipd. The main socket (mode 0660, optionally owned by
// a group) accepts every command; the optional read-only socket (mode 0666) answers `show`
// commands only. Frames are length-prefixed protobuf messages (control.proto); a frame over
// the size limit, a malformed or unknown request gets an error reply and the connection is
// closed; a client that sends nothing for the idle timeout is disconnected. Clients are
// served concurrently on the daemon's io_context, and every request is handed to a
// CommandDispatcher with the caller's SO_PEERCRED credentials.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <memory>
#include <string>

#include "control/daemon_view.h"
#include "control/frame_codec.h"

namespace boost::asio {
class io_context;
}

namespace vipd::control {

struct ControlServerOptions {
  std::string path = "/run/vipd/vipd.ctl";
  std::string group;           // the main socket's group; empty keeps the daemon's
  std::string read_only_path;  // empty: no read-only socket
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(60);
  std::uint32_t max_frame_size = kMaxFrameSize;
  std::size_t max_clients = 64;
};

class ControlServer {
 public:
  ControlServer(boost::asio::io_context& io, DaemonView& view, ControlServerOptions options);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Creates the socket's folder (mode 0755) if missing, replaces a stale socket, binds and
  // listens. Fails if another process listens on the path or a file that is not a socket is
  // in the way.
  std::expected<void, std::string> start();
  // Closes the sockets and every client connection and removes the socket files.
  void stop();

  std::size_t clients() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vipd::control
