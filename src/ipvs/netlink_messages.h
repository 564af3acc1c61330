// The IPVS generic netlink messages (family "IPVS", linux/ip_vs.h), built from the IPVS model
// and parsed back into it. Pure: no socket, no libnl, no logging; the netlink backend adds
// the netlink and generic netlink headers, sends, receives and matches replies.
//
// A message's attributes are kept wire-encoded: the sequence of netlink attributes (length,
// type, payload, padded to 4 bytes) that follows the generic netlink header. Parsing checks
// every length, so a short or malformed reply is an error, never a read past its end.
//
// Replies are read as the kernel states them (its "hashed" flag, an IPv6 netmask of 128, a
// fwmark service with the model's defaults for protocol, address and port): compare them
// with a configuration through canonical() (ipvs/model.h). Requests follow the kernel's
// conventions: ports and IPv4 netmasks in network byte order, addresses as 16 bytes, an
// IPv6 netmask as a prefix length (the model's 0xffffffff is sent as 128), and only the
// flags a service can be given (kServiceFlagsMask), with a mask that covers them all.
#pragma once

#include <cstdint>
#include <expected>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "ipvs/model.h"
#include "ipvs/operation.h"

namespace vipd::ipvs {

// The kernel's counters for a service or a destination since it was added; the rates are
// per second, averaged by the kernel's estimator (refreshed about every 2 s).
struct Counters {
  std::uint64_t connections = 0;
  std::uint64_t packets_in = 0;
  std::uint64_t packets_out = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t connection_rate = 0;
  std::uint64_t packet_rate_in = 0;
  std::uint64_t packet_rate_out = 0;
  std::uint64_t byte_rate_in = 0;
  std::uint64_t byte_rate_out = 0;

  bool operator==(const Counters&) const = default;
};

struct DestinationStatistics {
  Counters counters;
  std::uint32_t active_connections = 0;
  std::uint32_t inactive_connections = 0;
  std::uint32_t persistent_connections = 0;

  bool operator==(const DestinationStatistics&) const = default;
};

struct ServiceStatistics {
  Counters counters;
  std::map<DestinationKey, DestinationStatistics> destinations;

  bool operator==(const ServiceStatistics&) const = default;
};

// Keyed like Table, so that the control plane can join the two.
struct StatisticsTable {
  std::map<ServiceKey, ServiceStatistics> services;

  bool operator==(const StatisticsTable&) const = default;
};

// IPVS_CMD_GET_INFO's answer.
struct KernelInfo {
  std::uint32_t version = 0;  // 0x010201 for 1.2.1
  std::uint32_t connection_table_size = 0;

  // "1.2.1"
  std::string versionString() const;
};

namespace netlink {

// One request: the IPVS command, whether it is a dump (NLM_F_DUMP: answered by several
// messages and NLMSG_DONE) and its encoded attributes.
struct Request {
  std::uint8_t command = 0;
  bool dump = false;
  std::vector<std::uint8_t> attributes;
};

// NEW/SET/DEL_SERVICE or NEW/SET/DEL_DEST with every field the operation carries (a delete
// carries only the keys).
Request buildOperation(const Operation& operation);
Request buildGetServices();
Request buildGetDestinations(const ServiceKey& service);
Request buildGetInfo();
Request buildGetConfig();
Request buildSetConfig(const Timeouts& timeouts);

struct ServiceReply {
  Service service;
  Counters counters;
};

struct DestinationReply {
  Destination destination;
  DestinationStatistics statistics;
};

// Each parses the attributes of one reply message. Errors name the attribute at fault.
std::expected<ServiceReply, std::string> parseService(std::span<const std::uint8_t> attributes);
// `service_family` is used when the kernel does not say the destination's own family.
std::expected<DestinationReply, std::string> parseDestination(
    std::span<const std::uint8_t> attributes, IpAddress::Family service_family);
std::expected<KernelInfo, std::string> parseInfo(std::span<const std::uint8_t> attributes);
std::expected<Timeouts, std::string> parseConfig(std::span<const std::uint8_t> attributes);

}  // namespace netlink
}  // namespace vipd::ipvs
