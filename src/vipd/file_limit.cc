#include "vipd/file_limit.h"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/log.h"
#include "config/server_list.h"

namespace vipd {

namespace {

// Listening and control sockets, netlink, the BGP sessions, logs, resolver threads.
constexpr std::uint64_t kReserve = 256;

std::uint64_t socketsPerServer(const config::ServiceConfig& service) {
  std::uint64_t sockets = 0;
  for (const auto& monitor : service.monitors) {
    const auto* http = std::get_if<config::HttpParams>(&monitor.params);
    sockets += http && http->check_all ? std::max<std::uint64_t>(http->urls.size(), 1) : 1;
  }
  return sockets;
}

std::uint64_t serverCount(const config::ServiceConfig& service,
                          const std::filesystem::path& base_dir) {
  std::uint64_t servers = service.servers.size();
  if (!service.server_list) {
    return servers;
  }
  // A list that cannot be read now is the service's to report; it counts as empty here.
  const auto path = config::resolveServerListPath(service.server_list->url, base_dir);
  if (!path) {
    return servers;
  }
  const auto list = config::readServerList(*path);
  return list ? servers + list->size() : servers;
}

}  // namespace

std::expected<FileLimit, std::string> raiseFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return std::unexpected(std::string("getrlimit: ") + std::strerror(errno));
  }
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) != 0) {
      return std::unexpected(std::string("setrlimit: ") + std::strerror(errno));
    }
    limit = raised;
  }
  return FileLimit{limit.rlim_cur, limit.rlim_max};
}

std::uint64_t descriptorsNeeded(const config::Config& config) {
  const auto base_dir = std::filesystem::path(config.source_file).parent_path();
  std::uint64_t needed = kReserve;
  for (const auto& service : config.services) {
    needed += serverCount(service, base_dir) * socketsPerServer(service);
  }
  return needed;
}

void prepareFileLimit(const config::Config& config) {
  const auto logger = log::get("vipd");
  const auto limit = raiseFileLimit();
  if (!limit) {
    logger->warn("file descriptor limit not raised error=\"{}\"", limit.error());
    return;
  }
  logger->info("file descriptor limit soft={} hard={}", limit->soft, limit->hard);

  const std::uint64_t needed = descriptorsNeeded(config);
  if (needed > limit->soft) {
    logger->error(
        "file descriptor limit below what the configuration needs limit={} needed={} "
        "effect=\"checks fail once the limit is reached, and their servers are depooled\" "
        "fix=\"raise the hard RLIMIT_NOFILE (LimitNOFILE= in the systemd unit)\"",
        limit->soft, needed);
  }
}

}  // namespace vipd
