// ServerListWatcher: keeps one file:// server list in step with its file. It reads the file
// at start(), then checks it every poll interval (size, mtime and a content hash, so an
// edit within the same second is still seen) and reports each new good list. A file that
// fails to parse is reported and the last good list stays in force.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "config/diagnostic.h"
#include "config/model.h"

namespace boost::asio {
class io_context;
}

namespace vipd::config {

class ServerListWatcher {
 public:
  using OnList = std::function<void(const std::vector<ServerConfig>&)>;
  using OnError = std::function<void(const Diagnostics&)>;

  ServerListWatcher(boost::asio::io_context& io, std::filesystem::path file,
                    std::chrono::milliseconds poll_interval, OnList on_list, OnError on_error);
  ~ServerListWatcher();
  ServerListWatcher(const ServerListWatcher&) = delete;
  ServerListWatcher& operator=(const ServerListWatcher&) = delete;

  // Reads the file now (calling on_list or on_error before returning), then polls.
  void start();
  void stop();

  const std::filesystem::path& file() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vipd::config
