#include "vipd/state_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "ipvs/ownership_store.h"

namespace vipd {

namespace {

constexpr std::int64_t kVersion = 2;

boost::json::array encodeDisabled(const std::set<DisabledServer>& servers) {
  boost::json::array out;
  for (const auto& server : servers) {
    out.push_back({{"service", server.service}, {"host", server.host}, {"port", server.port}});
  }
  return out;
}

std::expected<DisabledServer, std::string> decodeDisabledServer(const boost::json::value& value) {
  const auto* object = value.if_object();
  const auto* service = object ? object->if_contains("service") : nullptr;
  const auto* host = object ? object->if_contains("host") : nullptr;
  const auto* port = object ? object->if_contains("port") : nullptr;
  if (!service || !service->is_string() || !host || !host->is_string() || !port ||
      !port->is_int64() || port->get_int64() < 1 || port->get_int64() > 65535) {
    return std::unexpected(
        "must be {\"service\": name, \"host\": name, \"port\": a whole number in 1..65535}");
  }
  return DisabledServer{std::string(service->get_string()), std::string(host->get_string()),
                        static_cast<std::uint16_t>(port->get_int64())};
}

std::expected<void, std::string> decodeOverrides(const boost::json::object& document,
                                                 OperatorOverrides& overrides) {
  if (const auto* disabled = document.if_contains("disabled_servers")) {
    if (!disabled->is_array()) {
      return std::unexpected("\"disabled_servers\" must be an array");
    }
    for (std::size_t i = 0; i < disabled->get_array().size(); ++i) {
      auto server = decodeDisabledServer(disabled->get_array()[i]);
      if (!server) {
        return std::unexpected("disabled server " + std::to_string(i) + ": " + server.error());
      }
      overrides.disabled_servers.insert(std::move(*server));
    }
  }
  if (const auto* held = document.if_contains("held_vips")) {
    if (!held->is_array()) {
      return std::unexpected("\"held_vips\" must be an array");
    }
    for (const auto& vip : held->get_array()) {
      if (!vip.is_string()) {
        return std::unexpected("\"held_vips\" must hold strings");
      }
      overrides.held_vips.insert(std::string(vip.get_string()));
    }
  }
  return {};
}

std::string errnoText(std::string_view what, const std::filesystem::path& path) {
  return std::string(what) + " " + path.string() + ": " + std::strerror(errno);
}

// Writes `text` to `path` and flushes it to the disk.
std::expected<void, std::string> writeDurably(const std::filesystem::path& path,
                                              std::string_view text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return std::unexpected(errnoText("cannot create", path));
  }
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      auto error = errnoText("cannot write", path);
      ::close(fd);
      return std::unexpected(error);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    auto error = errnoText("cannot fsync", path);
    ::close(fd);
    return std::unexpected(error);
  }
  if (::close(fd) != 0) {
    return std::unexpected(errnoText("cannot close", path));
  }
  return {};
}

// The rename is durable only once the folder's entry is on the disk too.
void syncFolder(const std::filesystem::path& folder) {
  const int fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

std::string encodeState(const PersistentState& state) {
  boost::json::array held;
  for (const auto& vip : state.overrides.held_vips) {
    held.emplace_back(vip);
  }
  boost::json::object document;
  document["version"] = kVersion;
  document["services"] = ipvs::encodeOwnedServices(state.owned);
  document["disabled_servers"] = encodeDisabled(state.overrides.disabled_servers);
  document["held_vips"] = std::move(held);
  return boost::json::serialize(document) + "\n";
}

std::expected<PersistentState, std::string> decodeState(std::string_view text) {
  boost::system::error_code error;
  const boost::json::value document = boost::json::parse(text, error);
  if (error) {
    return std::unexpected("not JSON: " + error.message());
  }
  const auto* object = document.if_object();
  const auto* version = object == nullptr ? nullptr : object->if_contains("version");
  if (version == nullptr || !version->is_int64() || version->get_int64() < 1 ||
      version->get_int64() > kVersion) {
    return std::unexpected("not a version 1 or 2 vipd state file");
  }
  const auto* services = object->if_contains("services");
  if (services == nullptr) {
    return std::unexpected("\"services\" must be an array");
  }
  auto owned = ipvs::decodeOwnedServices(*services);
  if (!owned) {
    return std::unexpected(owned.error());
  }
  PersistentState state;
  state.owned = std::move(*owned);
  if (auto decoded = decodeOverrides(*object, state.overrides); !decoded) {
    return std::unexpected(decoded.error());
  }
  return state;
}

std::expected<PersistentState, std::string> StateFile::load() const {
  std::error_code error;
  if (!std::filesystem::exists(path_, error)) {
    if (!error) {
      return PersistentState{};  // never written: vipd owns nothing yet
    }
    return std::unexpected("cannot read " + path_.string() + ": " + error.message());
  }
  std::ifstream in(path_, std::ios::binary);
  if (!in) {
    return std::unexpected(errnoText("cannot read", path_));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return std::unexpected(errnoText("cannot read", path_));
  }

  auto state = decodeState(text.str());
  if (!state) {
    return std::unexpected(path_.string() + ": " + state.error());
  }
  return state;
}

std::expected<void, std::string> StateFile::save(const PersistentState& state) const {
  const auto folder = path_.parent_path();
  std::error_code error;
  if (!folder.empty()) {
    std::filesystem::create_directories(folder, error);
    if (error) {
      return std::unexpected("cannot create " + folder.string() + ": " + error.message());
    }
  }

  auto temporary = path_;
  temporary += ".tmp";
  if (auto written = writeDurably(temporary, encodeState(state)); !written) {
    ::unlink(temporary.c_str());
    return written;
  }
  if (::rename(temporary.c_str(), path_.c_str()) != 0) {
    auto failure = errnoText("cannot rename " + temporary.string() + " to", path_);
    ::unlink(temporary.c_str());
    return std::unexpected(failure);
  }
  syncFolder(folder);
  return {};
}

}  // namespace vipd
