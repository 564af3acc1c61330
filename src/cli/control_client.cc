#include "cli/control_client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "control/frame_codec.h"

namespace vipd::cli {

using control::FrameCodec;

std::expected<ControlClient, std::string> ControlClient::connect(const std::string& path) {
  sockaddr_un address{};
  if (path.size() >= sizeof(address.sun_path)) {
    return std::unexpected("socket path too long: " + path);
  }
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.c_str(), path.size());
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return std::unexpected(std::system_category().message(errno));
  }
  ControlClient client(fd);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    return std::unexpected("Unable to connect to server control socket (" + path +
                           "): " + std::system_category().message(errno));
  }
  auto greeting = client.readFrame();
  if (!greeting) {
    return std::unexpected("no greeting from " + path + ": " + greeting.error());
  }
  if (!greeting->has_hello()) {
    return std::unexpected(path + " did not greet as vipd does");
  }
  client.hello_ = greeting->hello();
  return client;
}

ControlClient::ControlClient(ControlClient&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), hello_(std::move(other.hello_)) {}

ControlClient& ControlClient::operator=(ControlClient&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = std::exchange(other.fd_, -1);
    hello_ = std::move(other.hello_);
  }
  return *this;
}

ControlClient::~ControlClient() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

std::expected<std::vector<control::Reply>, std::string> ControlClient::call(
    const control::Request& request) {
  const auto frame = FrameCodec::encode(request);
  if (::send(fd_, frame.data(), frame.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(frame.size())) {
    return std::unexpected("cannot send to vipd: " + std::system_category().message(errno));
  }
  std::vector<control::Reply> frames;
  while (true) {
    auto reply = readFrame();
    if (!reply) {
      return std::unexpected(reply.error());
    }
    frames.push_back(std::move(*reply));
    if (!frames.back().more()) {
      return frames;
    }
  }
}

std::expected<control::Reply, std::string> ControlClient::readFrame() {
  FrameCodec::Header header{};
  if (!readExactly(reinterpret_cast<char*>(header.data()), header.size())) {
    return std::unexpected("vipd closed the connection");
  }
  const auto length = FrameCodec::decodeLength(header);
  if (length > control::kMaxFrameSize) {
    return std::unexpected("reply of " + std::to_string(length) + " bytes is too large");
  }
  std::string body(length, '\0');
  if (!readExactly(body.data(), body.size())) {
    return std::unexpected("vipd closed the connection in the middle of a reply");
  }
  return FrameCodec::decodeReply(body);
}

bool ControlClient::readExactly(char* data, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    const auto got = ::recv(fd_, data + done, size - done, 0);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got <= 0) {
      return false;
    }
    done += static_cast<std::size_t>(got);
  }
  return true;
}

}  // namespace vipd::cli
