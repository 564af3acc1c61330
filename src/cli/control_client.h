// ControlClient: vipc's side of the control socket. Blocking, one request at a time: connect
// (reading the greeting), then call() per command, collecting the reply's frames.
#pragma once

#include <expected>
#include <string>
#include <vector>

#include "control/control.pb.h"

namespace vipd::cli {

class ControlClient {
 public:
  static std::expected<ControlClient, std::string> connect(const std::string& path);

  ControlClient(ControlClient&& other) noexcept;
  ControlClient& operator=(ControlClient&& other) noexcept;
  ControlClient(const ControlClient&) = delete;
  ControlClient& operator=(const ControlClient&) = delete;
  ~ControlClient();

  const control::Hello& hello() const { return hello_; }

  // Every frame of the reply, the last one with the Result; an error if the connection broke.
  std::expected<std::vector<control::Reply>, std::string> call(const control::Request& request);

 private:
  explicit ControlClient(int fd) : fd_(fd) {}
  std::expected<control::Reply, std::string> readFrame();
  bool readExactly(char* data, std::size_t size);

  int fd_ = -1;
  control::Hello hello_;
};

}  // namespace vipd::cli
