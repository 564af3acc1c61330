// The IPVS netlink codec, checked against libnl's own attribute parser and builder: requests
// are decoded with nla_parse as the kernel would, and replies are built with nla_put as the
// kernel builds them (net/netfilter/ipvs/ip_vs_ctl.c).
#include "ipvs/netlink_messages.h"

#include <gtest/gtest.h>
#include <linux/ip_vs.h>
#include <netinet/in.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <sys/socket.h>

#include <array>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

namespace vipd::ipvs::netlink {
namespace {

IpAddress address(const char* text) {
  return *IpAddress::parse(text);
}

// A request's attributes decoded by libnl, one level at a time; it keeps the bytes alive.
class Decoded {
 public:
  Decoded(std::vector<std::uint8_t> bytes, int max)
      : bytes_(std::make_shared<std::vector<std::uint8_t>>(std::move(bytes))),
        attributes_(static_cast<std::size_t>(max) + 1, nullptr) {
    auto* head = reinterpret_cast<nlattr*>(bytes_->data());
    EXPECT_EQ(nla_parse(attributes_.data(), max, head, static_cast<int>(bytes_->size()), nullptr),
              0);
  }

  Decoded nested(int type, int max) const {
    Decoded inner(bytes_, max);
    nlattr* nest = (*this)[type];
    EXPECT_NE(nest, nullptr) << "no nested attribute " << type;
    if (nest != nullptr) {
      EXPECT_EQ(nla_parse_nested(inner.attributes_.data(), max, nest, nullptr), 0);
    }
    return inner;
  }

  nlattr* operator[](int type) const { return attributes_[static_cast<std::size_t>(type)]; }
  bool has(int type) const { return (*this)[type] != nullptr; }

 private:
  Decoded(std::shared_ptr<std::vector<std::uint8_t>> bytes, int max)
      : bytes_(std::move(bytes)), attributes_(static_cast<std::size_t>(max) + 1, nullptr) {}

  std::shared_ptr<std::vector<std::uint8_t>> bytes_;
  std::vector<nlattr*> attributes_;
};

Decoded serviceOf(const Request& request) {
  return Decoded(request.attributes, IPVS_CMD_ATTR_MAX)
      .nested(IPVS_CMD_ATTR_SERVICE, IPVS_SVC_ATTR_MAX);
}

Decoded destinationOf(const Request& request) {
  return Decoded(request.attributes, IPVS_CMD_ATTR_MAX)
      .nested(IPVS_CMD_ATTR_DEST, IPVS_DEST_ATTR_MAX);
}

std::uint16_t bigEndian16(nlattr* attribute) {
  const auto* bytes = static_cast<const std::uint8_t*>(nla_data(attribute));
  return static_cast<std::uint16_t>(bytes[0] << 8 | bytes[1]);
}

std::uint32_t bigEndian32(nlattr* attribute) {
  const auto* bytes = static_cast<const std::uint8_t*>(nla_data(attribute));
  return std::uint32_t{bytes[0]} << 24 | std::uint32_t{bytes[1]} << 16 |
         std::uint32_t{bytes[2]} << 8 | bytes[3];
}

// A reply as the kernel writes it, built with libnl.
class KernelReply {
 public:
  KernelReply() : message_(nlmsg_alloc(), nlmsg_free) {}

  nl_msg* get() { return message_.get(); }
  std::span<const std::uint8_t> attributes() {
    nlmsghdr* header = nlmsg_hdr(message_.get());
    return {static_cast<const std::uint8_t*>(nlmsg_data(header)),
            static_cast<std::size_t>(nlmsg_datalen(header))};
  }

  void putBigEndian16(int type, std::uint16_t value) {
    const std::array<std::uint8_t, 2> bytes{static_cast<std::uint8_t>(value >> 8),
                                            static_cast<std::uint8_t>(value)};
    nla_put(get(), type, 2, bytes.data());
  }
  void putBigEndian32(int type, std::uint32_t value) {
    const std::array<std::uint8_t, 4> bytes{
        static_cast<std::uint8_t>(value >> 24), static_cast<std::uint8_t>(value >> 16),
        static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)};
    nla_put(get(), type, 4, bytes.data());
  }
  void putAddress(int type, const IpAddress& ip) {
    std::array<std::uint8_t, 16> bytes = ip.bytes();
    if (ip.isV4()) {
      std::fill(bytes.begin() + 4, bytes.end(), std::uint8_t{0});
    }
    nla_put(get(), type, 16, bytes.data());
  }

 private:
  std::unique_ptr<nl_msg, void (*)(nl_msg*)> message_;
};

// The service part of ip_vs_genl_fill_service, for an address-and-port service.
void putKernelService(KernelReply& reply, std::uint16_t family, const IpAddress& vip,
                      std::uint16_t port, std::uint32_t netmask_raw, bool ipv6_netmask) {
  nla_put_u16(reply.get(), IPVS_SVC_ATTR_AF, family);
  nla_put_u16(reply.get(), IPVS_SVC_ATTR_PROTOCOL, IPPROTO_TCP);
  reply.putAddress(IPVS_SVC_ATTR_ADDR, vip);
  reply.putBigEndian16(IPVS_SVC_ATTR_PORT, port);
  nla_put_string(reply.get(), IPVS_SVC_ATTR_SCHED_NAME, "wrr");
  const ip_vs_flags flags{IP_VS_SVC_F_PERSISTENT | IP_VS_SVC_F_HASHED, ~0u};
  nla_put(reply.get(), IPVS_SVC_ATTR_FLAGS, sizeof flags, &flags);
  nla_put_u32(reply.get(), IPVS_SVC_ATTR_TIMEOUT, 300);
  if (ipv6_netmask) {
    nla_put_u32(reply.get(), IPVS_SVC_ATTR_NETMASK, netmask_raw);
  } else {
    reply.putBigEndian32(IPVS_SVC_ATTR_NETMASK, netmask_raw);
  }
}

void putStats64(KernelReply& reply, int type, std::uint64_t base) {
  nlattr* nest = nla_nest_start(reply.get(), type);
  for (int attribute = IPVS_STATS_ATTR_CONNS; attribute <= IPVS_STATS_ATTR_OUTBPS; ++attribute) {
    nla_put_u64(reply.get(), attribute, base + static_cast<std::uint64_t>(attribute));
  }
  nla_nest_end(reply.get(), nest);
}

Service sampleService() {
  Service service;
  service.key = {IpAddress::Family::V4, Protocol::Tcp, address("192.0.2.10"), 80, 0};
  service.scheduler = "wrr";
  service.flags = kFlagPersistent;
  service.persistence_timeout = 300;
  service.netmask = 0xffffff00;
  return service;
}

Destination sampleDestination() {
  Destination destination;
  destination.key = {address("198.51.100.7"), 8080};
  destination.forwarding = Forwarding::Tunnel;
  destination.weight = 12;
  destination.upper_threshold = 1000;
  destination.lower_threshold = 10;
  destination.tunnel_type = TunnelType::Gue;
  destination.tunnel_port = 6080;
  destination.tunnel_flags = IP_VS_TUNNEL_ENCAP_FLAG_CSUM;
  return destination;
}

TEST(NetlinkMessages, EachOperationKindUsesItsCommand) {
  struct Case {
    OperationKind kind;
    int command;
  };
  const std::vector<Case> cases{
      {OperationKind::AddService, IPVS_CMD_NEW_SERVICE},
      {OperationKind::EditService, IPVS_CMD_SET_SERVICE},
      {OperationKind::DeleteService, IPVS_CMD_DEL_SERVICE},
      {OperationKind::AddDestination, IPVS_CMD_NEW_DEST},
      {OperationKind::EditDestination, IPVS_CMD_SET_DEST},
      {OperationKind::DeleteDestination, IPVS_CMD_DEL_DEST},
  };
  for (const Case& test : cases) {
    const Request request = buildOperation({test.kind, sampleService(), sampleDestination()});
    EXPECT_EQ(request.command, test.command) << static_cast<int>(test.kind);
    EXPECT_FALSE(request.dump);
  }
}

TEST(NetlinkMessages, AddServiceCarriesEveryFieldInKernelByteOrder) {
  const Decoded service =
      serviceOf(buildOperation({OperationKind::AddService, sampleService(), std::nullopt}));

  EXPECT_EQ(nla_get_u16(service[IPVS_SVC_ATTR_AF]), AF_INET);
  EXPECT_EQ(nla_get_u16(service[IPVS_SVC_ATTR_PROTOCOL]), IPPROTO_TCP);
  ASSERT_EQ(nla_len(service[IPVS_SVC_ATTR_ADDR]), 16);
  const std::array<std::uint8_t, 4> vip{192, 0, 2, 10};
  EXPECT_EQ(std::memcmp(nla_data(service[IPVS_SVC_ATTR_ADDR]), vip.data(), 4), 0);
  EXPECT_EQ(bigEndian16(service[IPVS_SVC_ATTR_PORT]), 80);
  EXPECT_FALSE(service.has(IPVS_SVC_ATTR_FWMARK));
  EXPECT_STREQ(nla_get_string(service[IPVS_SVC_ATTR_SCHED_NAME]), "wrr");
  ip_vs_flags flags{};
  ASSERT_EQ(nla_len(service[IPVS_SVC_ATTR_FLAGS]), static_cast<int>(sizeof flags));
  nla_memcpy(&flags, service[IPVS_SVC_ATTR_FLAGS], sizeof flags);
  EXPECT_EQ(flags.flags, std::uint32_t{IP_VS_SVC_F_PERSISTENT});
  EXPECT_EQ(flags.mask, ~0u);
  EXPECT_EQ(nla_get_u32(service[IPVS_SVC_ATTR_TIMEOUT]), 300u);
  EXPECT_EQ(bigEndian32(service[IPVS_SVC_ATTR_NETMASK]), 0xffffff00u);
}

TEST(NetlinkMessages, HashedFlagIsNeverSent) {
  Service service = sampleService();
  service.flags = kFlagHashed | kFlagOnePacket;
  const Decoded decoded =
      serviceOf(buildOperation({OperationKind::EditService, service, std::nullopt}));
  ip_vs_flags flags{};
  nla_memcpy(&flags, decoded[IPVS_SVC_ATTR_FLAGS], sizeof flags);
  EXPECT_EQ(flags.flags, kFlagOnePacket);
}

TEST(NetlinkMessages, Ipv6WholeAddressNetmaskIsSentAsPrefixLength) {
  struct Case {
    std::uint32_t model;
    std::uint32_t wire;
  };
  for (const Case& test : std::vector<Case>{{0xffffffff, 128}, {64, 64}, {128, 128}}) {
    Service service = sampleService();
    service.key.family = IpAddress::Family::V6;
    service.key.address = address("2001:db8::10");
    service.netmask = test.model;
    const Decoded decoded =
        serviceOf(buildOperation({OperationKind::AddService, service, std::nullopt}));
    EXPECT_EQ(nla_get_u16(decoded[IPVS_SVC_ATTR_AF]), AF_INET6);
    EXPECT_EQ(nla_get_u32(decoded[IPVS_SVC_ATTR_NETMASK]), test.wire) << test.model;
  }
}

TEST(NetlinkMessages, FwmarkServiceCarriesMarkInsteadOfAddress) {
  Service service = sampleService();
  service.key = {IpAddress::Family::V6, Protocol::Tcp, IpAddress(), 0, 7};
  const Decoded decoded =
      serviceOf(buildOperation({OperationKind::AddService, service, std::nullopt}));

  EXPECT_EQ(nla_get_u32(decoded[IPVS_SVC_ATTR_FWMARK]), 7u);
  EXPECT_EQ(nla_get_u16(decoded[IPVS_SVC_ATTR_AF]), AF_INET6);
  EXPECT_FALSE(decoded.has(IPVS_SVC_ATTR_PROTOCOL));
  EXPECT_FALSE(decoded.has(IPVS_SVC_ATTR_ADDR));
  EXPECT_FALSE(decoded.has(IPVS_SVC_ATTR_PORT));
}

TEST(NetlinkMessages, DeletesCarryOnlyKeys) {
  const Decoded service =
      serviceOf(buildOperation({OperationKind::DeleteService, sampleService(), std::nullopt}));
  EXPECT_TRUE(service.has(IPVS_SVC_ATTR_PORT));
  EXPECT_FALSE(service.has(IPVS_SVC_ATTR_SCHED_NAME));
  EXPECT_FALSE(service.has(IPVS_SVC_ATTR_FLAGS));

  const Request request =
      buildOperation({OperationKind::DeleteDestination, sampleService(), sampleDestination()});
  const Decoded dest = destinationOf(request);
  EXPECT_EQ(bigEndian16(dest[IPVS_DEST_ATTR_PORT]), 8080);
  EXPECT_FALSE(dest.has(IPVS_DEST_ATTR_WEIGHT));
  EXPECT_FALSE(dest.has(IPVS_DEST_ATTR_FWD_METHOD));
  EXPECT_FALSE(serviceOf(request).has(IPVS_SVC_ATTR_SCHED_NAME));
}

TEST(NetlinkMessages, AddDestinationCarriesEveryField) {
  const Request request =
      buildOperation({OperationKind::AddDestination, sampleService(), sampleDestination()});
  const Decoded dest = destinationOf(request);

  const std::array<std::uint8_t, 4> real{198, 51, 100, 7};
  EXPECT_EQ(std::memcmp(nla_data(dest[IPVS_DEST_ATTR_ADDR]), real.data(), 4), 0);
  EXPECT_EQ(bigEndian16(dest[IPVS_DEST_ATTR_PORT]), 8080);
  EXPECT_EQ(nla_get_u16(dest[IPVS_DEST_ATTR_ADDR_FAMILY]), AF_INET);
  EXPECT_EQ(nla_get_u32(dest[IPVS_DEST_ATTR_FWD_METHOD]), std::uint32_t{IP_VS_CONN_F_TUNNEL});
  EXPECT_EQ(nla_get_u32(dest[IPVS_DEST_ATTR_WEIGHT]), 12u);
  EXPECT_EQ(nla_get_u32(dest[IPVS_DEST_ATTR_U_THRESH]), 1000u);
  EXPECT_EQ(nla_get_u32(dest[IPVS_DEST_ATTR_L_THRESH]), 10u);
  EXPECT_EQ(nla_get_u8(dest[IPVS_DEST_ATTR_TUN_TYPE]), IP_VS_CONN_F_TUNNEL_TYPE_GUE);
  EXPECT_EQ(bigEndian16(dest[IPVS_DEST_ATTR_TUN_PORT]), 6080);
  EXPECT_EQ(nla_get_u16(dest[IPVS_DEST_ATTR_TUN_FLAGS]), IP_VS_TUNNEL_ENCAP_FLAG_CSUM);
  // The service is named by its key only.
  EXPECT_EQ(bigEndian16(serviceOf(request)[IPVS_SVC_ATTR_PORT]), 80);
}

TEST(NetlinkMessages, ForwardingMethodsMapToConnectionFlags) {
  struct Case {
    Forwarding forwarding;
    std::uint32_t flags;
  };
  const std::vector<Case> cases{{Forwarding::DirectRoute, IP_VS_CONN_F_DROUTE},
                                {Forwarding::Masquerade, IP_VS_CONN_F_MASQ},
                                {Forwarding::Tunnel, IP_VS_CONN_F_TUNNEL}};
  for (const Case& test : cases) {
    Destination destination = sampleDestination();
    destination.forwarding = test.forwarding;
    const Decoded dest = destinationOf(
        buildOperation({OperationKind::EditDestination, sampleService(), destination}));
    EXPECT_EQ(nla_get_u32(dest[IPVS_DEST_ATTR_FWD_METHOD]), test.flags);
  }
}

// What a request says about a service or destination is what a reply with the same
// attributes reads back, for a varied set.
TEST(NetlinkMessages, ServiceRoundTripsThroughTheWireFormat) {
  std::vector<Service> services;
  services.push_back(sampleService());
  Service udp6;
  udp6.key = {IpAddress::Family::V6, Protocol::Udp, address("2001:db8::53"), 53, 0};
  udp6.scheduler = "mh";
  udp6.flags = kFlagSched1 | kFlagSched2;
  services.push_back(udp6);
  Service sctp;
  sctp.key = {IpAddress::Family::V4, Protocol::Sctp, address("203.0.113.1"), 3868, 0};
  sctp.flags = kFlagOnePacket;
  services.push_back(sctp);
  Service mark;
  mark.key = {IpAddress::Family::V4, Protocol::Tcp, IpAddress(), 0, 42};
  mark.scheduler = "sh";
  mark.flags = kFlagPersistent | kFlagSched3;
  mark.persistence_timeout = 60;
  services.push_back(mark);

  for (const Service& service : services) {
    const Request request = buildOperation({OperationKind::AddService, service, std::nullopt});
    const auto parsed = parseService(request.attributes);
    ASSERT_TRUE(parsed.has_value()) << parsed.error();
    EXPECT_EQ(canonical(parsed->service), canonical(service)) << service.key.toString();
    EXPECT_EQ(parsed->counters, Counters{});
  }
}

TEST(NetlinkMessages, DestinationRoundTripsThroughTheWireFormat) {
  std::vector<Destination> destinations{sampleDestination()};
  Destination nat;
  nat.key = {address("2001:db8::7"), 443};
  nat.forwarding = Forwarding::Masquerade;
  nat.weight = 0;
  destinations.push_back(nat);
  Destination gre = sampleDestination();
  gre.tunnel_type = TunnelType::Gre;
  gre.tunnel_port = 0;
  gre.tunnel_flags = IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM;
  destinations.push_back(gre);

  for (const Destination& destination : destinations) {
    const Request request =
        buildOperation({OperationKind::AddDestination, sampleService(), destination});
    const auto parsed = parseDestination(request.attributes, IpAddress::Family::V4);
    ASSERT_TRUE(parsed.has_value()) << parsed.error();
    EXPECT_EQ(parsed->destination, destination) << destination.key.address.toString();
  }
}

TEST(NetlinkMessages, KernelServiceReplyIsReadWithStatistics) {
  KernelReply reply;
  nlattr* nest = nla_nest_start(reply.get(), IPVS_CMD_ATTR_SERVICE);
  putKernelService(reply, AF_INET, address("192.0.2.10"), 80, 0xffffff00, false);
  putStats64(reply, IPVS_SVC_ATTR_STATS64, 1000);
  nla_nest_end(reply.get(), nest);

  const auto parsed = parseService(reply.attributes());
  ASSERT_TRUE(parsed.has_value()) << parsed.error();
  EXPECT_EQ(parsed->service.flags, kFlagPersistent | kFlagHashed);
  EXPECT_EQ(canonical(parsed->service), canonical(sampleService()));
  EXPECT_EQ(parsed->counters.connections, 1000u + IPVS_STATS_ATTR_CONNS);
  EXPECT_EQ(parsed->counters.bytes_out, 1000u + IPVS_STATS_ATTR_OUTBYTES);
  EXPECT_EQ(parsed->counters.byte_rate_out, 1000u + IPVS_STATS_ATTR_OUTBPS);
}

TEST(NetlinkMessages, KernelIpv6ServiceReplyReadsPrefixLength) {
  KernelReply reply;
  nlattr* nest = nla_nest_start(reply.get(), IPVS_CMD_ATTR_SERVICE);
  putKernelService(reply, AF_INET6, address("2001:db8::1"), 443, 128, true);
  nla_nest_end(reply.get(), nest);

  const auto parsed = parseService(reply.attributes());
  ASSERT_TRUE(parsed.has_value()) << parsed.error();
  EXPECT_EQ(parsed->service.key.address, address("2001:db8::1"));
  EXPECT_EQ(parsed->service.key.port, 443);
  EXPECT_EQ(parsed->service.netmask, 128u);
}

TEST(NetlinkMessages, OlderStatisticsNestIsRead) {
  KernelReply reply;
  nlattr* nest = nla_nest_start(reply.get(), IPVS_CMD_ATTR_SERVICE);
  putKernelService(reply, AF_INET, address("192.0.2.10"), 80, 0xffffffff, false);
  nlattr* stats = nla_nest_start(reply.get(), IPVS_SVC_ATTR_STATS);
  nla_put_u32(reply.get(), IPVS_STATS_ATTR_CONNS, 5);
  nla_put_u32(reply.get(), IPVS_STATS_ATTR_INPKTS, 6);
  nla_put_u32(reply.get(), IPVS_STATS_ATTR_OUTPKTS, 7);
  nla_put_u64(reply.get(), IPVS_STATS_ATTR_INBYTES, 8);
  nla_put_u64(reply.get(), IPVS_STATS_ATTR_OUTBYTES, 9);
  for (int attribute = IPVS_STATS_ATTR_CPS; attribute <= IPVS_STATS_ATTR_OUTBPS; ++attribute) {
    nla_put_u32(reply.get(), attribute, 1);
  }
  nla_nest_end(reply.get(), stats);
  nla_nest_end(reply.get(), nest);

  const auto parsed = parseService(reply.attributes());
  ASSERT_TRUE(parsed.has_value()) << parsed.error();
  EXPECT_EQ(parsed->counters.connections, 5u);
  EXPECT_EQ(parsed->counters.bytes_in, 8u);
  EXPECT_EQ(parsed->counters.bytes_out, 9u);
  EXPECT_EQ(parsed->counters.packet_rate_in, 1u);
}

TEST(NetlinkMessages, KernelDestinationReplyReadsConnectionsAndServiceFamily) {
  KernelReply reply;
  nlattr* nest = nla_nest_start(reply.get(), IPVS_CMD_ATTR_DEST);
  reply.putAddress(IPVS_DEST_ATTR_ADDR, address("2001:db8::9"));
  reply.putBigEndian16(IPVS_DEST_ATTR_PORT, 80);
  nla_put_u32(reply.get(), IPVS_DEST_ATTR_FWD_METHOD, IP_VS_CONN_F_DROUTE | 0x100);
  nla_put_u32(reply.get(), IPVS_DEST_ATTR_WEIGHT, 3);
  nla_put_u32(reply.get(), IPVS_DEST_ATTR_U_THRESH, 0);
  nla_put_u32(reply.get(), IPVS_DEST_ATTR_L_THRESH, 0);
  nla_put_u32(reply.get(), IPVS_DEST_ATTR_ACTIVE_CONNS, 11);
  nla_put_u32(reply.get(), IPVS_DEST_ATTR_INACT_CONNS, 12);
  nla_put_u32(reply.get(), IPVS_DEST_ATTR_PERSIST_CONNS, 13);
  putStats64(reply, IPVS_DEST_ATTR_STATS64, 0);
  nla_nest_end(reply.get(), nest);

  const auto parsed = parseDestination(reply.attributes(), IpAddress::Family::V6);
  ASSERT_TRUE(parsed.has_value()) << parsed.error();
  EXPECT_EQ(parsed->destination.key.address, address("2001:db8::9"));
  EXPECT_EQ(parsed->destination.forwarding, Forwarding::DirectRoute);
  EXPECT_EQ(parsed->destination.weight, 3u);
  EXPECT_EQ(parsed->destination.tunnel_type, TunnelType::Ipip);
  EXPECT_EQ(parsed->statistics.active_connections, 11u);
  EXPECT_EQ(parsed->statistics.inactive_connections, 12u);
  EXPECT_EQ(parsed->statistics.persistent_connections, 13u);
  EXPECT_EQ(parsed->statistics.counters.packets_in, std::uint64_t{IPVS_STATS_ATTR_INPKTS});
}

TEST(NetlinkMessages, MalformedRepliesAreErrorsNamingTheAttribute) {
  struct Case {
    const char* name;
    std::vector<std::uint8_t> bytes;
    const char* error_part;
  };
  // A service nest (type 1, 12 bytes) holding one attribute each time.
  auto nest = [](std::vector<std::uint8_t> inner) {
    std::vector<std::uint8_t> bytes{static_cast<std::uint8_t>(4 + inner.size()), 0, 1, 0x80};
    bytes.insert(bytes.end(), inner.begin(), inner.end());
    return bytes;
  };
  const std::vector<Case> cases{
      {"empty", {}, "no service attribute"},
      {"length past the end", {20, 0, 1, 0, 0, 0, 0, 0}, "bad length"},
      {"length below the header", {2, 0, 1, 0}, "bad length"},
      {"family of 3 bytes", nest({7, 0, 1, 0, 2, 0, 0, 0}), "family has 3 bytes"},
      {"unknown family", nest({6, 0, 1, 0, 99, 0, 0, 0}), "unknown address family 99"},
      {"no protocol", nest({6, 0, 1, 0, 2, 0, 0, 0}), "no protocol attribute"},
      {"unknown protocol", nest({6, 0, 1, 0, 2, 0, 0, 0, 6, 0, 2, 0, 99, 0, 0, 0}),
       "unknown protocol 99"},
  };
  for (const Case& test : cases) {
    const auto parsed = parseService(test.bytes);
    ASSERT_FALSE(parsed.has_value()) << test.name;
    EXPECT_NE(parsed.error().find(test.error_part), std::string::npos)
        << test.name << ": " << parsed.error();
  }
}

TEST(NetlinkMessages, UnsupportedForwardingMethodIsAnError) {
  KernelReply reply;
  nlattr* nest = nla_nest_start(reply.get(), IPVS_CMD_ATTR_DEST);
  reply.putAddress(IPVS_DEST_ATTR_ADDR, address("192.0.2.9"));
  reply.putBigEndian16(IPVS_DEST_ATTR_PORT, 80);
  nla_put_u32(reply.get(), IPVS_DEST_ATTR_FWD_METHOD, IP_VS_CONN_F_LOCALNODE);
  nla_put_u32(reply.get(), IPVS_DEST_ATTR_WEIGHT, 1);
  nla_put_u32(reply.get(), IPVS_DEST_ATTR_U_THRESH, 0);
  nla_put_u32(reply.get(), IPVS_DEST_ATTR_L_THRESH, 0);
  nla_nest_end(reply.get(), nest);

  const auto parsed = parseDestination(reply.attributes(), IpAddress::Family::V4);
  ASSERT_FALSE(parsed.has_value());
  EXPECT_NE(parsed.error().find("unsupported forwarding method 1"), std::string::npos)
      << parsed.error();
}

TEST(NetlinkMessages, GetDestinationsIsADumpNamingTheService) {
  const Request request = buildGetDestinations(sampleService().key);
  EXPECT_EQ(request.command, IPVS_CMD_GET_DEST);
  EXPECT_TRUE(request.dump);
  const Decoded service = serviceOf(request);
  EXPECT_EQ(bigEndian16(service[IPVS_SVC_ATTR_PORT]), 80);
  EXPECT_FALSE(service.has(IPVS_SVC_ATTR_SCHED_NAME));

  EXPECT_TRUE(buildGetServices().dump);
  EXPECT_EQ(buildGetServices().command, IPVS_CMD_GET_SERVICE);
  EXPECT_FALSE(buildGetInfo().dump);
  EXPECT_EQ(buildGetInfo().command, IPVS_CMD_GET_INFO);
  EXPECT_EQ(buildGetConfig().command, IPVS_CMD_GET_CONFIG);
}

TEST(NetlinkMessages, InfoReplyIsRead) {
  KernelReply reply;
  nla_put_u32(reply.get(), IPVS_INFO_ATTR_VERSION, 0x010201);
  nla_put_u32(reply.get(), IPVS_INFO_ATTR_CONN_TAB_SIZE, 4096);

  const auto info = parseInfo(reply.attributes());
  ASSERT_TRUE(info.has_value()) << info.error();
  EXPECT_EQ(info->version, 0x010201u);
  EXPECT_EQ(info->versionString(), "1.2.1");
  EXPECT_EQ(info->connection_table_size, 4096u);
  EXPECT_FALSE(parseInfo({}).has_value());
}

TEST(NetlinkMessages, SetConfigRoundTripsThroughConfigReply) {
  const Timeouts timeouts{900, 120, 300};
  const Request request = buildSetConfig(timeouts);
  EXPECT_EQ(request.command, IPVS_CMD_SET_CONFIG);

  const Decoded top(request.attributes, IPVS_CMD_ATTR_MAX);
  EXPECT_EQ(nla_get_u32(top[IPVS_CMD_ATTR_TIMEOUT_TCP]), 900u);
  EXPECT_EQ(nla_get_u32(top[IPVS_CMD_ATTR_TIMEOUT_TCP_FIN]), 120u);
  EXPECT_EQ(nla_get_u32(top[IPVS_CMD_ATTR_TIMEOUT_UDP]), 300u);

  const auto parsed = parseConfig(request.attributes);
  ASSERT_TRUE(parsed.has_value()) << parsed.error();
  EXPECT_EQ(*parsed, timeouts);
}

}  // namespace
}  // namespace vipd::ipvs::netlink
