// The IPVS services vipd owns, as JSON. vipd owns the services it has programmed; any other
// service in the kernel belongs to another tool and is never touched. vipd's state file
// (vipd/state_file.h, by default /var/lib/vipd/state.json) keeps the set across restarts:
// it is how a service that left the configuration while vipd was down is still known to be
// vipd's at the next start, and so deleted.
//
// The set is an array of keys:
//   [{"family": "ipv4", "protocol": "tcp", "address": "192.0.2.10", "port": 80},
//    {"family": "ipv6", "fwmark": 7}]
// and version 1 of the state file was that array alone in {"version": 1, "services": [...]}
// (vipd/state_file.cc still reads it).
// Pure: no file I/O, no logging, no Asio.
#pragma once

#include <boost/json/fwd.hpp>
#include <expected>
#include <set>
#include <string>

#include "ipvs/model.h"

namespace vipd::ipvs {

// The array of `owned` (in canonical() form), and back; the error says which entry is wrong
// and why. Decoded keys are in canonical() form.
boost::json::array encodeOwnedServices(const std::set<ServiceKey>& owned);
std::expected<std::set<ServiceKey>, std::string> decodeOwnedServices(
    const boost::json::value& services);

}  // namespace vipd::ipvs
