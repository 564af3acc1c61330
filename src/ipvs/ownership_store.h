// OwnershipStore: the IPVS services vipd owns, remembered across restarts in a small JSON
// file (by default /var/lib/vipd/state.json). vipd owns the services it has programmed;
// any other service in the kernel belongs to another tool and is never touched. The file
// is how a service that left the configuration while vipd was down is still known to be
// vipd's at the next start, and so deleted.
//
// The file, version 1:
//   {"version": 1, "services": [
//     {"family": "ipv4", "protocol": "tcp", "address": "192.0.2.10", "port": 80},
//     {"family": "ipv6", "fwmark": 7}]}
//
// save() replaces the file atomically (a temporary file in the same folder, fsync, rename,
// fsync of the folder): a crash leaves the old set or the new one, never a mix. load() says
// what is wrong with a file it cannot read; a missing file is an empty set. Pure file I/O:
// no logging, no Asio.
#pragma once

#include <expected>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>

#include "ipvs/model.h"

namespace vipd::ipvs {

class OwnershipStore {
 public:
  explicit OwnershipStore(std::filesystem::path path) : path_(std::move(path)) {}

  // The owned services (keys in canonical() form), empty when the file does not exist; the
  // error names the file and what is wrong with it.
  std::expected<std::set<ServiceKey>, std::string> load() const;
  // Writes `owned`, creating the file's folder if needed.
  std::expected<void, std::string> save(const std::set<ServiceKey>& owned) const;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The file's text for `owned`, and back (the error says what is wrong); exposed for tests.
std::string encodeOwnership(const std::set<ServiceKey>& owned);
std::expected<std::set<ServiceKey>, std::string> decodeOwnership(std::string_view text);

}  // namespace vipd::ipvs
