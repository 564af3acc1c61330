#include "config/server_list_watcher.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

#include "common/log.h"
#include "config/file_reader.h"
#include "config/server_list.h"

namespace vipd::config {

namespace {

// A file's size and mtime: when both are unchanged and the mtime is not recent, the content
// is taken as unchanged without reading it.
struct FileStamp {
  std::uintmax_t size = 0;
  std::filesystem::file_time_type mtime;

  bool operator==(const FileStamp&) const = default;
};

// An edit within this long of the last one may leave the mtime as it was (coarse file system
// clocks), so such a file is read and hashed at every poll.
constexpr auto kMtimeGranularity = std::chrono::seconds(2);

}  // namespace

struct ServerListWatcher::Impl {
  Impl(boost::asio::io_context& io_context, std::filesystem::path path,
       std::chrono::milliseconds interval, OnList list_callback, OnError error_callback)
      : timer(io_context),
        file(std::move(path)),
        poll_interval(interval),
        on_list(std::move(list_callback)),
        on_error(std::move(error_callback)) {}

  void check();
  void schedule();
  void report(const Diagnostics& errors, std::size_t key);

  boost::asio::steady_timer timer;
  std::filesystem::path file;
  std::chrono::milliseconds poll_interval;
  OnList on_list;
  OnError on_error;
  bool running = false;

  std::optional<FileStamp> stamp;                 // of the last read
  std::optional<std::size_t> content_hash;        // of the last read, good or bad
  std::optional<std::vector<ServerConfig>> good;  // the list in force
  std::optional<std::size_t> reported_error;      // the last bad state reported
};

void ServerListWatcher::Impl::check() {
  std::error_code size_error;
  std::error_code time_error;
  const FileStamp now{std::filesystem::file_size(file, size_error),
                      std::filesystem::last_write_time(file, time_error)};
  if (size_error || time_error) {
    const std::error_code& error = size_error ? size_error : time_error;
    const Diagnostics missing{{Diagnostic::Severity::Error, file.string(), std::nullopt, "",
                               "cannot read the server list: " + error.message()}};
    stamp.reset();
    content_hash.reset();
    report(missing, std::hash<std::string>{}(error.message()));
    return;
  }
  const bool recent = std::filesystem::file_time_type::clock::now() - now.mtime < kMtimeGranularity;
  if (stamp == now && !recent) {
    return;
  }
  stamp = now;

  auto text = readInputFile(file);
  const std::size_t hash =
      std::hash<std::string_view>{}(text ? std::string_view(*text) : std::string_view{});
  if (text && content_hash == hash) {
    return;
  }
  content_hash = text ? std::optional(hash) : std::nullopt;
  if (!text) {
    report(Diagnostics{text.error()}, std::hash<std::string>{}(text.error().message));
    return;
  }

  auto servers = parseServerList(*text, serverListFormatFor(file), file.string());
  if (!servers) {
    report(servers.error(), hash);
    return;
  }
  reported_error.reset();
  if (good == *servers) {
    return;
  }
  good = std::move(*servers);
  vipd::log::get("config")->info("server list changed file={} servers={}", file.string(),
                                 good->size());
  on_list(*good);
}

// Each distinct bad state once; the list in force stays.
void ServerListWatcher::Impl::report(const Diagnostics& errors, std::size_t key) {
  if (reported_error == key) {
    return;
  }
  reported_error = key;
  const Diagnostic first = errors.empty() ? Diagnostic{} : errors.front();
  vipd::log::get("config")->warn("server list rejected file={} errors={} line={} error=\"{}\"",
                                 file.string(), errors.size(), first.line.value_or(0),
                                 first.message);
  on_error(errors);
}

void ServerListWatcher::Impl::schedule() {
  if (!running) {
    return;
  }
  timer.expires_after(poll_interval);
  timer.async_wait([this](const boost::system::error_code& error) {
    // An aborted wait may run after the watcher is gone: touch nothing then.
    if (error == boost::asio::error::operation_aborted) {
      return;
    }
    if (!running) {
      return;
    }
    check();
    schedule();
  });
}

ServerListWatcher::ServerListWatcher(boost::asio::io_context& io, std::filesystem::path file,
                                     std::chrono::milliseconds poll_interval, OnList on_list,
                                     OnError on_error)
    : impl_(std::make_unique<Impl>(io, std::move(file), poll_interval, std::move(on_list),
                                   std::move(on_error))) {}

ServerListWatcher::~ServerListWatcher() {
  stop();
}

void ServerListWatcher::start() {
  if (impl_->running) {
    return;
  }
  impl_->running = true;
  impl_->check();
  impl_->schedule();
}

void ServerListWatcher::stop() {
  impl_->running = false;
  impl_->timer.cancel();
}

const std::filesystem::path& ServerListWatcher::file() const {
  return impl_->file;
}

}  // namespace vipd::config
