#include "ipvs/netlink_messages.h"

#include <fmt/format.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <string_view>

namespace vipd::ipvs {

std::string KernelInfo::versionString() const {
  return fmt::format("{}.{}.{}", (version >> 16) & 0xff, (version >> 8) & 0xff, version & 0xff);
}

namespace netlink {
namespace {

constexpr std::size_t kAttributeHeader = 4;
constexpr std::uint16_t kTypeMask = 0x3fff;
constexpr std::uint16_t kMaxType = 32;  // without NLA_F_NESTED and NLA_F_NET_BYTEORDER
constexpr std::uint32_t kIpv6WholeAddress = 128;

std::size_t aligned(std::size_t length) {
  return (length + 3) & ~std::size_t{3};
}

template <typename T>
T loadNative(std::span<const std::uint8_t> bytes) {
  T value{};
  std::memcpy(&value, bytes.data(), sizeof value);
  return value;
}

std::uint32_t loadBigEndian(std::span<const std::uint8_t> bytes) {
  std::uint32_t value = 0;
  for (std::uint8_t byte : bytes) {
    value = (value << 8) | byte;
  }
  return value;
}

// std::expected::and_then, which libstdc++ 12 lacks.
template <typename T, typename Next>
auto andThen(std::expected<T, std::string> value, Next&& next)
    -> decltype(next(std::move(*value))) {
  if (!value) {
    return std::unexpected(std::move(value.error()));
  }
  return next(std::move(*value));
}

// The error of the first of `values` that failed, if any.
template <typename... T>
std::optional<std::string> firstError(const std::expected<T, std::string>&... values) {
  std::optional<std::string> error;
  auto check = [&](const auto& value) {
    if (!error && !value) {
      error = value.error();
    }
  };
  (check(values), ...);
  return error;
}

// Appends attributes in the wire format; a nested attribute's length is patched when it ends.
class AttributeWriter {
 public:
  explicit AttributeWriter(std::vector<std::uint8_t>& out) : out_(out) {}

  void put(std::uint16_t type, std::span<const std::uint8_t> payload) {
    putHeader(type, kAttributeHeader + payload.size());
    append(payload);
    out_.resize(aligned(out_.size()));
  }

  template <typename T>
  void putNative(std::uint16_t type, T value) {
    std::array<std::uint8_t, sizeof(T)> bytes{};
    std::memcpy(bytes.data(), &value, sizeof value);
    put(type, bytes);
  }

  void putBigEndian16(std::uint16_t type, std::uint16_t value) {
    const std::array<std::uint8_t, 2> bytes{static_cast<std::uint8_t>(value >> 8),
                                            static_cast<std::uint8_t>(value)};
    put(type, bytes);
  }

  void putBigEndian32(std::uint16_t type, std::uint32_t value) {
    const std::array<std::uint8_t, 4> bytes{
        static_cast<std::uint8_t>(value >> 24), static_cast<std::uint8_t>(value >> 16),
        static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)};
    put(type, bytes);
  }

  void putString(std::uint16_t type, std::string_view text) {
    std::vector<std::uint8_t> bytes(text.begin(), text.end());
    bytes.push_back(0);
    put(type, bytes);
  }

  std::size_t beginNested(std::uint16_t type) {
    const std::size_t start = out_.size();
    putHeader(type | NLA_F_NESTED, 0);
    return start;
  }

  void endNested(std::size_t start) {
    const auto length = static_cast<std::uint16_t>(out_.size() - start);
    std::memcpy(out_.data() + start, &length, sizeof length);
  }

 private:
  void putHeader(std::uint16_t type, std::size_t length) {
    const auto wire_length = static_cast<std::uint16_t>(length);
    std::array<std::uint8_t, kAttributeHeader> header{};
    std::memcpy(header.data(), &wire_length, 2);
    std::memcpy(header.data() + 2, &type, 2);
    append(header);
  }

  // resize and memcpy rather than insert: g++ 12 at -O3 sees a false overflow in insert.
  void append(std::span<const std::uint8_t> bytes) {
    const std::size_t at = out_.size();
    out_.resize(at + bytes.size());
    if (!bytes.empty()) {
      std::memcpy(out_.data() + at, bytes.data(), bytes.size());
    }
  }

  std::vector<std::uint8_t>& out_;
};

// One level of attributes, indexed by type (the IPVS attributes are all below kMaxType; any
// other is ignored). Every getter checks the payload's length. `what` names the level in
// errors; it is a literal, so that a dump of thousands of entries builds no strings.
class Attributes {
 public:
  static std::expected<Attributes, std::string> parse(std::span<const std::uint8_t> data,
                                                      std::string_view what) {
    Attributes attributes{what};
    while (data.size() >= kAttributeHeader) {
      const auto length = loadNative<std::uint16_t>(data.subspan(0, 2));
      const auto type =
          static_cast<std::uint16_t>(loadNative<std::uint16_t>(data.subspan(2, 2)) & kTypeMask);
      if (length < kAttributeHeader || length > data.size()) {
        return std::unexpected(
            fmt::format("{}: attribute {} has a bad length {}", what, type, length));
      }
      if (type < kMaxType) {
        attributes.values_[type] = data.subspan(kAttributeHeader, length - kAttributeHeader);
        attributes.present_ |= 1u << type;
      }
      data = data.subspan(std::min(aligned(length), data.size()));
    }
    return attributes;
  }

  bool has(std::uint16_t type) const { return type < kMaxType && (present_ >> type & 1u) != 0; }

  template <typename T>
  std::expected<T, std::string> native(std::uint16_t type, std::string_view name) const {
    auto payload = fixed(type, name, sizeof(T));
    if (!payload) {
      return std::unexpected(payload.error());
    }
    return loadNative<T>(*payload);
  }

  std::expected<std::uint16_t, std::string> bigEndian16(std::uint16_t type,
                                                        std::string_view name) const {
    auto payload = fixed(type, name, 2);
    if (!payload) {
      return std::unexpected(payload.error());
    }
    return static_cast<std::uint16_t>(loadBigEndian(*payload));
  }

  std::expected<std::uint32_t, std::string> bigEndian32(std::uint16_t type,
                                                        std::string_view name) const {
    auto payload = fixed(type, name, 4);
    if (!payload) {
      return std::unexpected(payload.error());
    }
    return loadBigEndian(*payload);
  }

  // The kernel's strings end in NUL; anything after the first NUL is ignored.
  std::expected<std::string, std::string> string(std::uint16_t type, std::string_view name) const {
    auto payload = bytes(type, name);
    if (!payload) {
      return std::unexpected(payload.error());
    }
    std::string text(payload->begin(), payload->end());
    text.resize(std::strlen(text.c_str()));
    return text;
  }

  std::expected<IpAddress, std::string> address(std::uint16_t type, std::string_view name,
                                                IpAddress::Family family) const {
    auto payload = bytes(type, name);
    if (!payload) {
      return std::unexpected(payload.error());
    }
    const std::size_t wanted = family == IpAddress::Family::V4 ? 4 : 16;
    if (payload->size() < wanted) {
      return std::unexpected(
          fmt::format("{}: {} has {} bytes, expected {}", what_, name, payload->size(), wanted));
    }
    if (family == IpAddress::Family::V4) {
      std::array<std::uint8_t, 4> v4{};
      std::memcpy(v4.data(), payload->data(), v4.size());
      return IpAddress::fromV4(v4);
    }
    std::array<std::uint8_t, 16> v6{};
    std::memcpy(v6.data(), payload->data(), v6.size());
    return IpAddress::fromV6(v6);
  }

  std::expected<Attributes, std::string> nested(std::uint16_t type, std::string_view name) const {
    auto payload = bytes(type, name);
    if (!payload) {
      return std::unexpected(payload.error());
    }
    return Attributes::parse(*payload, name);
  }

  std::expected<std::span<const std::uint8_t>, std::string> bytes(std::uint16_t type,
                                                                  std::string_view name) const {
    if (!has(type)) {
      return std::unexpected(fmt::format("{}: no {} attribute", what_, name));
    }
    return values_[type];
  }

 private:
  explicit Attributes(std::string_view what) : what_(what) {}

  std::expected<std::span<const std::uint8_t>, std::string> fixed(std::uint16_t type,
                                                                  std::string_view name,
                                                                  std::size_t size) const {
    auto payload = bytes(type, name);
    if (payload && payload->size() != size) {
      return std::unexpected(
          fmt::format("{}: {} has {} bytes, expected {}", what_, name, payload->size(), size));
    }
    return payload;
  }

  std::string_view what_;
  std::array<std::span<const std::uint8_t>, kMaxType> values_{};
  std::uint32_t present_ = 0;
};

// --- model <-> kernel values -------------------------------------------------------------

std::uint16_t toKernelFamily(IpAddress::Family family) {
  return family == IpAddress::Family::V4 ? AF_INET : AF_INET6;
}

std::expected<IpAddress::Family, std::string> fromKernelFamily(std::uint16_t family) {
  switch (family) {
    case AF_INET:
      return IpAddress::Family::V4;
    case AF_INET6:
      return IpAddress::Family::V6;
    default:
      return std::unexpected(fmt::format("unknown address family {}", family));
  }
}

std::uint16_t toKernelProtocol(Protocol protocol) {
  switch (protocol) {
    case Protocol::Tcp:
      return IPPROTO_TCP;
    case Protocol::Udp:
      return IPPROTO_UDP;
    case Protocol::Sctp:
      return IPPROTO_SCTP;
  }
  return IPPROTO_TCP;
}

std::expected<Protocol, std::string> fromKernelProtocol(std::uint16_t protocol) {
  switch (protocol) {
    case IPPROTO_TCP:
      return Protocol::Tcp;
    case IPPROTO_UDP:
      return Protocol::Udp;
    case IPPROTO_SCTP:
      return Protocol::Sctp;
    default:
      return std::unexpected(fmt::format("unknown protocol {}", protocol));
  }
}

std::uint32_t toKernelForwarding(Forwarding forwarding) {
  switch (forwarding) {
    case Forwarding::DirectRoute:
      return IP_VS_CONN_F_DROUTE;
    case Forwarding::Masquerade:
      return IP_VS_CONN_F_MASQ;
    case Forwarding::Tunnel:
      return IP_VS_CONN_F_TUNNEL;
  }
  return IP_VS_CONN_F_DROUTE;
}

std::expected<Forwarding, std::string> fromKernelForwarding(std::uint32_t conn_flags) {
  switch (conn_flags & IP_VS_CONN_F_FWD_MASK) {
    case IP_VS_CONN_F_DROUTE:
      return Forwarding::DirectRoute;
    case IP_VS_CONN_F_MASQ:
      return Forwarding::Masquerade;
    case IP_VS_CONN_F_TUNNEL:
      return Forwarding::Tunnel;
    default:
      return std::unexpected(
          fmt::format("unsupported forwarding method {}", conn_flags & IP_VS_CONN_F_FWD_MASK));
  }
}

std::uint8_t toKernelTunnelType(TunnelType type) {
  switch (type) {
    case TunnelType::Ipip:
      return IP_VS_CONN_F_TUNNEL_TYPE_IPIP;
    case TunnelType::Gue:
      return IP_VS_CONN_F_TUNNEL_TYPE_GUE;
    case TunnelType::Gre:
      return IP_VS_CONN_F_TUNNEL_TYPE_GRE;
  }
  return IP_VS_CONN_F_TUNNEL_TYPE_IPIP;
}

std::expected<TunnelType, std::string> fromKernelTunnelType(std::uint8_t type) {
  switch (type) {
    case IP_VS_CONN_F_TUNNEL_TYPE_IPIP:
      return TunnelType::Ipip;
    case IP_VS_CONN_F_TUNNEL_TYPE_GUE:
      return TunnelType::Gue;
    case IP_VS_CONN_F_TUNNEL_TYPE_GRE:
      return TunnelType::Gre;
    default:
      return std::unexpected(fmt::format("unknown tunnel type {}", type));
  }
}

std::array<std::uint8_t, 16> addressBytes(const IpAddress& address) {
  std::array<std::uint8_t, 16> bytes = address.bytes();
  if (address.isV4()) {
    std::fill(bytes.begin() + 4, bytes.end(), std::uint8_t{0});
  }
  return bytes;
}

// --- building ----------------------------------------------------------------------------

void putServiceKey(AttributeWriter& writer, const ServiceKey& key) {
  writer.putNative<std::uint16_t>(IPVS_SVC_ATTR_AF, toKernelFamily(key.family));
  if (key.fwmark != 0) {
    writer.putNative<std::uint32_t>(IPVS_SVC_ATTR_FWMARK, key.fwmark);
    return;
  }
  writer.putNative<std::uint16_t>(IPVS_SVC_ATTR_PROTOCOL, toKernelProtocol(key.protocol));
  writer.put(IPVS_SVC_ATTR_ADDR, addressBytes(key.address));
  writer.putBigEndian16(IPVS_SVC_ATTR_PORT, key.port);
}

void putServiceSettings(AttributeWriter& writer, const Service& service) {
  writer.putString(IPVS_SVC_ATTR_SCHED_NAME, service.scheduler);

  // The mask covers every bit, so the kernel keeps none of a service's old flags. The
  // kernel's own "hashed" flag must never be sent: a service added with it is never hashed.
  const ip_vs_flags flags{service.flags & kServiceFlagsMask, ~std::uint32_t{0}};
  std::array<std::uint8_t, sizeof flags> flag_bytes{};
  std::memcpy(flag_bytes.data(), &flags, sizeof flags);
  writer.put(IPVS_SVC_ATTR_FLAGS, flag_bytes);

  writer.putNative<std::uint32_t>(IPVS_SVC_ATTR_TIMEOUT, service.persistence_timeout);
  if (service.key.family == IpAddress::Family::V4) {
    writer.putBigEndian32(IPVS_SVC_ATTR_NETMASK, service.netmask);
  } else {
    // The kernel reads an IPv6 prefix length from the attribute's raw 32 bits.
    writer.putNative<std::uint32_t>(IPVS_SVC_ATTR_NETMASK,
                                    std::min(service.netmask, kIpv6WholeAddress));
  }
}

void putService(AttributeWriter& writer, const Service& service, bool full) {
  const std::size_t nest = writer.beginNested(IPVS_CMD_ATTR_SERVICE);
  putServiceKey(writer, service.key);
  if (full) {
    putServiceSettings(writer, service);
  }
  writer.endNested(nest);
}

void putDestination(AttributeWriter& writer, const Destination& destination, bool full) {
  const std::size_t nest = writer.beginNested(IPVS_CMD_ATTR_DEST);
  writer.put(IPVS_DEST_ATTR_ADDR, addressBytes(destination.key.address));
  writer.putBigEndian16(IPVS_DEST_ATTR_PORT, destination.key.port);
  writer.putNative<std::uint16_t>(IPVS_DEST_ATTR_ADDR_FAMILY,
                                  toKernelFamily(destination.key.address.family()));
  if (full) {
    writer.putNative<std::uint32_t>(IPVS_DEST_ATTR_FWD_METHOD,
                                    toKernelForwarding(destination.forwarding));
    writer.putNative<std::uint32_t>(IPVS_DEST_ATTR_WEIGHT, destination.weight);
    writer.putNative<std::uint32_t>(IPVS_DEST_ATTR_U_THRESH, destination.upper_threshold);
    writer.putNative<std::uint32_t>(IPVS_DEST_ATTR_L_THRESH, destination.lower_threshold);
    writer.putNative<std::uint8_t>(IPVS_DEST_ATTR_TUN_TYPE,
                                   toKernelTunnelType(destination.tunnel_type));
    writer.putBigEndian16(IPVS_DEST_ATTR_TUN_PORT, destination.tunnel_port);
    writer.putNative<std::uint16_t>(IPVS_DEST_ATTR_TUN_FLAGS, destination.tunnel_flags);
  }
  writer.endNested(nest);
}

struct CommandShape {
  std::uint8_t command;
  bool full;  // every field, not only the keys
};

CommandShape shapeOf(OperationKind kind) {
  switch (kind) {
    case OperationKind::AddService:
      return {IPVS_CMD_NEW_SERVICE, true};
    case OperationKind::EditService:
      return {IPVS_CMD_SET_SERVICE, true};
    case OperationKind::DeleteService:
      return {IPVS_CMD_DEL_SERVICE, false};
    case OperationKind::AddDestination:
      return {IPVS_CMD_NEW_DEST, true};
    case OperationKind::EditDestination:
      return {IPVS_CMD_SET_DEST, true};
    case OperationKind::DeleteDestination:
      return {IPVS_CMD_DEL_DEST, false};
  }
  return {IPVS_CMD_UNSPEC, false};
}

bool isDestinationKind(OperationKind kind) {
  return kind == OperationKind::AddDestination || kind == OperationKind::EditDestination ||
         kind == OperationKind::DeleteDestination;
}

// --- parsing -----------------------------------------------------------------------------

std::expected<Counters, std::string> parseCounters64(const Attributes& stats) {
  Counters counters;
  const std::array<std::pair<std::uint16_t, std::uint64_t Counters::*>, 10> fields{{
      {IPVS_STATS_ATTR_CONNS, &Counters::connections},
      {IPVS_STATS_ATTR_INPKTS, &Counters::packets_in},
      {IPVS_STATS_ATTR_OUTPKTS, &Counters::packets_out},
      {IPVS_STATS_ATTR_INBYTES, &Counters::bytes_in},
      {IPVS_STATS_ATTR_OUTBYTES, &Counters::bytes_out},
      {IPVS_STATS_ATTR_CPS, &Counters::connection_rate},
      {IPVS_STATS_ATTR_INPPS, &Counters::packet_rate_in},
      {IPVS_STATS_ATTR_OUTPPS, &Counters::packet_rate_out},
      {IPVS_STATS_ATTR_INBPS, &Counters::byte_rate_in},
      {IPVS_STATS_ATTR_OUTBPS, &Counters::byte_rate_out},
  }};
  for (const auto& [type, member] : fields) {
    auto value = stats.native<std::uint64_t>(type, "counter");
    if (!value) {
      return std::unexpected(value.error());
    }
    counters.*member = *value;
  }
  return counters;
}

// The older statistics nest: 32-bit counters and rates, 64-bit byte counts.
std::expected<Counters, std::string> parseCounters32(const Attributes& stats) {
  Counters counters;
  const std::array<std::pair<std::uint16_t, std::uint64_t Counters::*>, 8> narrow{{
      {IPVS_STATS_ATTR_CONNS, &Counters::connections},
      {IPVS_STATS_ATTR_INPKTS, &Counters::packets_in},
      {IPVS_STATS_ATTR_OUTPKTS, &Counters::packets_out},
      {IPVS_STATS_ATTR_CPS, &Counters::connection_rate},
      {IPVS_STATS_ATTR_INPPS, &Counters::packet_rate_in},
      {IPVS_STATS_ATTR_OUTPPS, &Counters::packet_rate_out},
      {IPVS_STATS_ATTR_INBPS, &Counters::byte_rate_in},
      {IPVS_STATS_ATTR_OUTBPS, &Counters::byte_rate_out},
  }};
  for (const auto& [type, member] : narrow) {
    auto value = stats.native<std::uint32_t>(type, "counter");
    if (!value) {
      return std::unexpected(value.error());
    }
    counters.*member = *value;
  }
  auto bytes_in = stats.native<std::uint64_t>(IPVS_STATS_ATTR_INBYTES, "bytes in");
  auto bytes_out = stats.native<std::uint64_t>(IPVS_STATS_ATTR_OUTBYTES, "bytes out");
  if (auto error = firstError(bytes_in, bytes_out)) {
    return std::unexpected(*error);
  }
  counters.bytes_in = *bytes_in;
  counters.bytes_out = *bytes_out;
  return counters;
}

// Statistics are optional in a reply: absent, they read as zero.
std::expected<Counters, std::string> parseStatistics(const Attributes& entry,
                                                     std::uint16_t stats64_type,
                                                     std::uint16_t stats_type) {
  if (entry.has(stats64_type)) {
    return andThen(entry.nested(stats64_type, "statistics"), parseCounters64);
  }
  if (entry.has(stats_type)) {
    return andThen(entry.nested(stats_type, "statistics"), parseCounters32);
  }
  return Counters{};
}

std::expected<ServiceKey, std::string> parseServiceKey(const Attributes& service) {
  ServiceKey key;
  auto family =
      andThen(service.native<std::uint16_t>(IPVS_SVC_ATTR_AF, "family"), fromKernelFamily);
  if (!family) {
    return std::unexpected(family.error());
  }
  key.family = *family;

  if (service.has(IPVS_SVC_ATTR_FWMARK)) {
    auto fwmark = service.native<std::uint32_t>(IPVS_SVC_ATTR_FWMARK, "fwmark");
    if (!fwmark) {
      return std::unexpected(fwmark.error());
    }
    key.fwmark = *fwmark;
  }
  if (key.fwmark != 0) {
    return key;
  }

  auto protocol = andThen(service.native<std::uint16_t>(IPVS_SVC_ATTR_PROTOCOL, "protocol"),
                          fromKernelProtocol);
  auto address = service.address(IPVS_SVC_ATTR_ADDR, "address", key.family);
  auto port = service.bigEndian16(IPVS_SVC_ATTR_PORT, "port");
  if (auto error = firstError(protocol, address, port)) {
    return std::unexpected(*error);
  }
  key.protocol = *protocol;
  key.address = *address;
  key.port = *port;
  return key;
}

std::expected<Service, std::string> parseServiceSettings(const Attributes& service,
                                                         ServiceKey key) {
  auto scheduler = service.string(IPVS_SVC_ATTR_SCHED_NAME, "scheduler");
  auto flags = service.native<ip_vs_flags>(IPVS_SVC_ATTR_FLAGS, "flags");
  auto timeout = service.native<std::uint32_t>(IPVS_SVC_ATTR_TIMEOUT, "timeout");
  auto netmask = key.family == IpAddress::Family::V4
                     ? service.bigEndian32(IPVS_SVC_ATTR_NETMASK, "netmask")
                     : service.native<std::uint32_t>(IPVS_SVC_ATTR_NETMASK, "netmask");
  if (auto error = firstError(scheduler, flags, timeout, netmask)) {
    return std::unexpected(*error);
  }

  Service result;
  result.key = std::move(key);
  result.scheduler = *scheduler;
  result.flags = flags->flags;
  result.persistence_timeout = *timeout;
  result.netmask = *netmask;
  return result;
}

// Kernels before 5.2 (GUE) and 5.3 (tunnel flags) do not send the tunnel attributes; absent,
// they keep the model's defaults.
std::optional<std::string> parseTunnel(const Attributes& dest, Destination& result) {
  if (dest.has(IPVS_DEST_ATTR_TUN_TYPE)) {
    auto type = andThen(dest.native<std::uint8_t>(IPVS_DEST_ATTR_TUN_TYPE, "tunnel type"),
                        fromKernelTunnelType);
    if (!type) {
      return type.error();
    }
    result.tunnel_type = *type;
  }
  if (dest.has(IPVS_DEST_ATTR_TUN_PORT)) {
    auto port = dest.bigEndian16(IPVS_DEST_ATTR_TUN_PORT, "tunnel port");
    if (!port) {
      return port.error();
    }
    result.tunnel_port = *port;
  }
  if (dest.has(IPVS_DEST_ATTR_TUN_FLAGS)) {
    auto flags = dest.native<std::uint16_t>(IPVS_DEST_ATTR_TUN_FLAGS, "tunnel flags");
    if (!flags) {
      return flags.error();
    }
    result.tunnel_flags = *flags;
  }
  return std::nullopt;
}

std::expected<Destination, std::string> parseDestinationSettings(const Attributes& dest,
                                                                 IpAddress::Family family) {
  auto address = dest.address(IPVS_DEST_ATTR_ADDR, "address", family);
  auto port = dest.bigEndian16(IPVS_DEST_ATTR_PORT, "port");
  auto forwarding =
      andThen(dest.native<std::uint32_t>(IPVS_DEST_ATTR_FWD_METHOD, "forwarding method"),
              fromKernelForwarding);
  auto weight = dest.native<std::uint32_t>(IPVS_DEST_ATTR_WEIGHT, "weight");
  auto upper = dest.native<std::uint32_t>(IPVS_DEST_ATTR_U_THRESH, "upper threshold");
  auto lower = dest.native<std::uint32_t>(IPVS_DEST_ATTR_L_THRESH, "lower threshold");
  if (auto error = firstError(address, port, forwarding, weight, upper, lower)) {
    return std::unexpected(*error);
  }

  Destination result;
  result.key = {*address, *port};
  result.forwarding = *forwarding;
  result.weight = *weight;
  result.upper_threshold = *upper;
  result.lower_threshold = *lower;
  if (auto error = parseTunnel(dest, result)) {
    return std::unexpected(*error);
  }
  return result;
}

// Connection counts are optional: a reply without them reads as zero.
std::uint32_t optionalCount(const Attributes& dest, std::uint16_t type) {
  return dest.native<std::uint32_t>(type, "connections").value_or(0);
}

}  // namespace

Request buildOperation(const Operation& operation) {
  const CommandShape shape = shapeOf(operation.kind);
  Request request{shape.command, false, {}};
  AttributeWriter writer(request.attributes);

  if (!isDestinationKind(operation.kind)) {
    putService(writer, operation.service, shape.full);
    return request;
  }
  putService(writer, operation.service, false);
  putDestination(writer, operation.destination.value_or(Destination{}), shape.full);
  return request;
}

Request buildGetServices() {
  return {IPVS_CMD_GET_SERVICE, true, {}};
}

Request buildGetDestinations(const ServiceKey& service) {
  Request request{IPVS_CMD_GET_DEST, true, {}};
  AttributeWriter writer(request.attributes);
  const std::size_t nest = writer.beginNested(IPVS_CMD_ATTR_SERVICE);
  putServiceKey(writer, service);
  writer.endNested(nest);
  return request;
}

Request buildGetInfo() {
  return {IPVS_CMD_GET_INFO, false, {}};
}

Request buildGetConfig() {
  return {IPVS_CMD_GET_CONFIG, false, {}};
}

Request buildSetConfig(const Timeouts& timeouts) {
  Request request{IPVS_CMD_SET_CONFIG, false, {}};
  AttributeWriter writer(request.attributes);
  writer.putNative<std::uint32_t>(IPVS_CMD_ATTR_TIMEOUT_TCP, timeouts.tcp);
  writer.putNative<std::uint32_t>(IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, timeouts.tcp_fin);
  writer.putNative<std::uint32_t>(IPVS_CMD_ATTR_TIMEOUT_UDP, timeouts.udp);
  return request;
}

std::expected<ServiceReply, std::string> parseService(std::span<const std::uint8_t> attributes) {
  auto top = Attributes::parse(attributes, "service reply");
  if (!top) {
    return std::unexpected(top.error());
  }
  auto service = top->nested(IPVS_CMD_ATTR_SERVICE, "service");
  if (!service) {
    return std::unexpected(service.error());
  }

  auto settings = andThen(parseServiceKey(*service), [&](ServiceKey key) {
    return parseServiceSettings(*service, std::move(key));
  });
  auto counters = parseStatistics(*service, IPVS_SVC_ATTR_STATS64, IPVS_SVC_ATTR_STATS);
  if (auto error = firstError(settings, counters)) {
    return std::unexpected(*error);
  }
  return ServiceReply{*settings, *counters};
}

std::expected<DestinationReply, std::string> parseDestination(
    std::span<const std::uint8_t> attributes, IpAddress::Family service_family) {
  auto top = Attributes::parse(attributes, "destination reply");
  if (!top) {
    return std::unexpected(top.error());
  }
  auto dest = top->nested(IPVS_CMD_ATTR_DEST, "destination");
  if (!dest) {
    return std::unexpected(dest.error());
  }

  IpAddress::Family family = service_family;
  if (dest->has(IPVS_DEST_ATTR_ADDR_FAMILY)) {
    auto own = andThen(dest->native<std::uint16_t>(IPVS_DEST_ATTR_ADDR_FAMILY, "family"),
                       fromKernelFamily);
    if (!own) {
      return std::unexpected(own.error());
    }
    family = *own;
  }

  auto settings = parseDestinationSettings(*dest, family);
  auto counters = parseStatistics(*dest, IPVS_DEST_ATTR_STATS64, IPVS_DEST_ATTR_STATS);
  if (auto error = firstError(settings, counters)) {
    return std::unexpected(*error);
  }
  const DestinationStatistics statistics{*counters,
                                         optionalCount(*dest, IPVS_DEST_ATTR_ACTIVE_CONNS),
                                         optionalCount(*dest, IPVS_DEST_ATTR_INACT_CONNS),
                                         optionalCount(*dest, IPVS_DEST_ATTR_PERSIST_CONNS)};
  return DestinationReply{*settings, statistics};
}

std::expected<KernelInfo, std::string> parseInfo(std::span<const std::uint8_t> attributes) {
  auto top = Attributes::parse(attributes, "info reply");
  if (!top) {
    return std::unexpected(top.error());
  }
  auto version = top->native<std::uint32_t>(IPVS_INFO_ATTR_VERSION, "version");
  auto size = top->native<std::uint32_t>(IPVS_INFO_ATTR_CONN_TAB_SIZE, "connection table size");
  if (auto error = firstError(version, size)) {
    return std::unexpected(*error);
  }
  return KernelInfo{*version, *size};
}

std::expected<Timeouts, std::string> parseConfig(std::span<const std::uint8_t> attributes) {
  auto top = Attributes::parse(attributes, "config reply");
  if (!top) {
    return std::unexpected(top.error());
  }
  auto tcp = top->native<std::uint32_t>(IPVS_CMD_ATTR_TIMEOUT_TCP, "tcp timeout");
  auto tcp_fin = top->native<std::uint32_t>(IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, "tcp fin timeout");
  auto udp = top->native<std::uint32_t>(IPVS_CMD_ATTR_TIMEOUT_UDP, "udp timeout");
  if (auto error = firstError(tcp, tcp_fin, udp)) {
    return std::unexpected(*error);
  }
  return Timeouts{*tcp, *tcp_fin, *udp};
}

}  // namespace netlink
}  // namespace vipd::ipvs
