// checkConfig: the rules YANG cannot state, applied to a configuration that vipd.yang has
// accepted: two services on one protocol, VIP and port; scheduler flags that do not fit the
// scheduler; services on one VIP that disagree on their MED or announce policy; a fwmark
// service that announces without prefixes; a peer's families without a next hop; persistence
// netmasks. Each diagnostic names the data path of the offending node; the caller adds the
// file and the line.
#pragma once

#include <functional>
#include <optional>
#include <string_view>

#include "config/diagnostic.h"
#include "config/model.h"

namespace vipd::config {

// The line of a data path, for messages that point at a second place ("first at line 3").
using LineOfPath = std::function<std::optional<int>(std::string_view data_path)>;

Diagnostics checkConfig(const Config& config, const LineOfPath& line_of);

// The data path of a service and of one of its leaves, as libyang writes them.
std::string servicePath(const std::string& name, std::string_view leaf = {});

inline constexpr std::string_view kBgpPath = "/vipd:config/global/bgp";
// The data path of a BGP peer and of one of its leaves.
std::string bgpPeerPath(const std::string& name, std::string_view leaf = {});

}  // namespace vipd::config
