// SocketClient: a blocking unix-socket client for the control server's tests; it speaks the
// frames by hand so that tests can also send broken ones.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <string>

#include "control/frame_codec.h"

namespace vipd::control::testing {

class SocketClient {
 public:
  explicit SocketClient(const std::string& path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    // A safety net against a hung test, not a timing assertion.
    timeval limit{30, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    connected_ = ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~SocketClient() { ::close(fd_); }
  SocketClient(const SocketClient&) = delete;
  SocketClient& operator=(const SocketClient&) = delete;

  bool connected() const { return connected_; }

  bool sendRaw(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  bool send(const Request& request) { return sendRaw(FrameCodec::encode(request)); }
  void shutdownWrite() { ::shutdown(fd_, SHUT_WR); }

  // The next reply frame; nullopt once the daemon has closed the connection.
  std::optional<Reply> read() {
    FrameCodec::Header header{};
    if (!readExactly(header.data(), header.size())) {
      return std::nullopt;
    }
    std::string body(FrameCodec::decodeLength(header), '\0');
    if (!readExactly(body.data(), body.size())) {
      return std::nullopt;
    }
    auto reply = FrameCodec::decodeReply(body);
    if (!reply) {
      return std::nullopt;
    }
    return *reply;
  }

  // Every frame up to and including the one with the Result.
  std::vector<Reply> readReply() {
    std::vector<Reply> frames;
    while (auto frame = read()) {
      frames.push_back(*frame);
      if (!frame->more()) {
        break;
      }
    }
    return frames;
  }

 private:
  bool readExactly(void* data, std::size_t size) {
    auto* bytes = static_cast<char*>(data);
    std::size_t done = 0;
    while (done < size) {
      const auto got = ::recv(fd_, bytes + done, size - done, 0);
      if (got <= 0) {
        return false;
      }
      done += static_cast<std::size_t>(got);
    }
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
};

inline Request request() {
  Request out;
  out.set_version(kApiVersion);
  return out;
}

}  // namespace vipd::control::testing
