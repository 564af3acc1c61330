// How the configuration and the pools become IPVS entries: a configured service becomes an
// ipvs::Service, a server a destination. Pure functions, shared by the daemon and tests.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>

#include "common/ip_address.h"
#include "config/model.h"
#include "ipvs/model.h"

namespace vipd {

// The IPVS service of a configured service, or what in it IPVS cannot take.
std::expected<ipvs::Service, std::string> toIpvsService(const config::ServiceConfig& service);

// The destination of one server of `service` at `address`. A depooled server that the
// service drains rather than removes gets weight 0; `pooled` false with DepoolAction::Remove
// gives nullopt (no destination).
std::optional<ipvs::Destination> toIpvsDestination(const config::ServiceConfig& service,
                                                   const IpAddress& address, std::uint16_t port,
                                                   std::uint32_t weight, bool pooled);

}  // namespace vipd
