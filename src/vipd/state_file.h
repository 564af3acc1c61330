// StateFile: what vipd remembers across restarts, in one small JSON file (by default
// /var/lib/vipd/state.json): the IPVS services it owns (ipvs/ownership_store.h) and the
// operator's overrides given through vipc (disabled servers, VIP holds).
//
// The file, version 2:
//   {"version": 2,
//    "services": [{"family": "ipv4", "protocol": "tcp", "address": "192.0.2.10", "port": 80}],
//    "disabled_servers": [{"service": "web", "host": "web1.example", "port": 80}],
//    "held_vips": ["192.0.2.10"]}
// Version 1 (services only) is still read, as having no override.
//
// save() replaces the file atomically (a temporary file in the same folder, fsync, rename,
// fsync of the folder): a crash leaves the old state or the new one, never a mix. load() says
// what is wrong with a file it cannot read; a missing file is an empty state. Pure file I/O:
// no logging, no Asio.
#pragma once

#include <compare>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>

#include "ipvs/model.h"

namespace vipd {

// A server the operator disabled with `vipc disable server`.
struct DisabledServer {
  std::string service;
  std::string host;
  std::uint16_t port = 0;

  auto operator<=>(const DisabledServer&) const = default;
};

struct OperatorOverrides {
  std::set<DisabledServer> disabled_servers;
  std::set<std::string> held_vips;  // `vipc withdraw vip`, by the VIP's name

  bool operator==(const OperatorOverrides&) const = default;
};

struct PersistentState {
  std::set<ipvs::ServiceKey> owned;  // canonical keys
  OperatorOverrides overrides;

  bool operator==(const PersistentState&) const = default;
};

class StateFile {
 public:
  explicit StateFile(std::filesystem::path path) : path_(std::move(path)) {}

  // The state, empty when the file does not exist; the error names the file and what is
  // wrong with it.
  std::expected<PersistentState, std::string> load() const;
  // Writes `state`, creating the file's folder if needed.
  std::expected<void, std::string> save(const PersistentState& state) const;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The file's text (version 2), and back from version 1 or 2; exposed for tests.
std::string encodeState(const PersistentState& state);
std::expected<PersistentState, std::string> decodeState(std::string_view text);

}  // namespace vipd
