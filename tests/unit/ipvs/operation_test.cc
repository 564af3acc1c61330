#include "ipvs/operation.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <vector>

namespace vipd::ipvs {
namespace {

IpAddress ip(const char* text) {
  return *IpAddress::parse(text);
}

ServiceKey key(const char* address, std::uint16_t port, Protocol protocol = Protocol::Tcp) {
  const IpAddress parsed = ip(address);
  return {parsed.family(), protocol, parsed, port, 0};
}

ServiceKey fwmarkKey(std::uint32_t mark, IpAddress::Family family = IpAddress::Family::V4) {
  ServiceKey out;
  out.family = family;
  out.fwmark = mark;
  return out;
}

Service service(ServiceKey k, std::string scheduler = "wrr", std::uint32_t flags = 0) {
  Service out;
  out.key = k;
  out.scheduler = std::move(scheduler);
  out.flags = flags;
  out.netmask = fullNetmask(k.family);
  return out;
}

Service persistent(Service s, std::uint32_t timeout, std::uint32_t netmask) {
  s.flags |= kFlagPersistent;
  s.persistence_timeout = timeout;
  s.netmask = netmask;
  return s;
}

Destination destination(const char* address, std::uint16_t port, std::uint32_t weight = 10,
                        Forwarding forwarding = Forwarding::DirectRoute) {
  Destination out;
  out.key = {ip(address), port};
  out.weight = weight;
  out.forwarding = forwarding;
  return out;
}

Destination tunnel(Destination d, TunnelType type, std::uint16_t port, std::uint16_t flags) {
  d.forwarding = Forwarding::Tunnel;
  d.tunnel_type = type;
  d.tunnel_port = port;
  d.tunnel_flags = flags;
  return d;
}

Destination thresholds(Destination d, std::uint32_t upper, std::uint32_t lower) {
  d.upper_threshold = upper;
  d.lower_threshold = lower;
  return d;
}

Operation op(OperationKind kind, Service s, std::optional<Destination> d = std::nullopt) {
  return {kind, std::move(s), std::move(d)};
}

using K = OperationKind;

const ServiceKey kWeb = key("192.0.2.10", 80);

struct Vector {
  Operation operation;
  std::string text;
};

TEST(ToIpvsadm, PrintsServicesAsIpvsadmSaves) {
  const std::vector<Vector> vectors = {
      {op(K::AddService, service(kWeb)), "-A -t 192.0.2.10:80 -s wrr"},
      {op(K::AddService, service(kWeb, "wlc")), "-A -t 192.0.2.10:80 -s wlc"},
      {op(K::AddService, service(key("192.0.2.53", 53, Protocol::Udp), "rr", kFlagOnePacket)),
       "-A -u 192.0.2.53:53 -s rr -o"},
      {op(K::AddService, service(key("192.0.2.20", 3868, Protocol::Sctp), "rr")),
       "-A --sctp-service 192.0.2.20:3868 -s rr"},
      {op(K::AddService, service(key("2001:db8::10", 443))), "-A -t [2001:db8::10]:443 -s wrr"},
      {op(K::AddService, service(fwmarkKey(7), "wlc")), "-A -f 7 -s wlc"},
      {op(K::AddService, service(fwmarkKey(7, IpAddress::Family::V6), "wlc")), "-A -f 7 -6 -s wlc"},
      {op(K::AddService, service(fwmarkKey(4000000000u), "rr")), "-A -f 4000000000 -s rr"},
      {op(K::AddService, persistent(service(kWeb), 300, 0xffffffff)),
       "-A -t 192.0.2.10:80 -s wrr -p 300"},
      {op(K::AddService, persistent(service(kWeb), 360, 0xffffff00)),
       "-A -t 192.0.2.10:80 -s wrr -p 360 -M 255.255.255.0"},
      {op(K::AddService, persistent(service(key("2001:db8::10", 443)), 300, 64)),
       "-A -t [2001:db8::10]:443 -s wrr -p 300 -M 64"},
      {op(K::AddService, persistent(service(key("2001:db8::10", 443)), 300, 128)),
       "-A -t [2001:db8::10]:443 -s wrr -p 300"},
      {op(K::AddService, persistent(service(key("2001:db8::10", 443)), 300, 0xffffffff)),
       "-A -t [2001:db8::10]:443 -s wrr -p 300"},
      {op(K::AddService, persistent(service(fwmarkKey(9, IpAddress::Family::V6)), 60, 96)),
       "-A -f 9 -6 -s wrr -p 60 -M 96"},
      // The netmask is printed only with persistence, as ipvsadm does.
      {op(K::AddService,
          [] {
            Service s = service(kWeb);
            s.netmask = 0xffff0000;
            return s;
          }()),
       "-A -t 192.0.2.10:80 -s wrr"},
      {op(K::AddService, service(kWeb, "wrr", kFlagSched1 | kFlagSched3)),
       "-A -t 192.0.2.10:80 -s wrr -b flag-1,flag-3"},
      {op(K::AddService, service(kWeb, "sh", kFlagSched1 | kFlagSched2)),
       "-A -t 192.0.2.10:80 -s sh -b sh-fallback,sh-port"},
      {op(K::AddService, service(kWeb, "mh", kFlagSched2)), "-A -t 192.0.2.10:80 -s mh -b mh-port"},
      {op(K::AddService, service(kWeb, "sh", kFlagSched3)), "-A -t 192.0.2.10:80 -s sh"},
      {op(K::AddService, persistent(service(key("192.0.2.53", 53, Protocol::Udp), "sh",
                                            kFlagOnePacket | kFlagSched1),
                                    30, 0xffffffff)),
       "-A -u 192.0.2.53:53 -s sh -p 30 -o -b sh-fallback"},
      {op(K::EditService, persistent(service(kWeb, "wlc"), 600, 0xffffffff)),
       "-E -t 192.0.2.10:80 -s wlc -p 600"},
      {op(K::EditService, service(kWeb, "rr")), "-E -t 192.0.2.10:80 -s rr"},
      {op(K::DeleteService, service(kWeb)), "-D -t 192.0.2.10:80"},
      {op(K::DeleteService, service(fwmarkKey(7, IpAddress::Family::V6))), "-D -f 7 -6"},
      {op(K::DeleteService, service(key("2001:db8::53", 53, Protocol::Udp))),
       "-D -u [2001:db8::53]:53"},
  };
  for (const auto& v : vectors) {
    EXPECT_EQ(toIpvsadm(v.operation), v.text);
  }
}

TEST(ToIpvsadm, PrintsDestinationsAsIpvsadmSaves) {
  const Service web = service(kWeb);
  const Service web6 = service(key("2001:db8::10", 443));
  const std::vector<Vector> vectors = {
      {op(K::AddDestination, web, destination("198.51.100.1", 80)),
       "-a -t 192.0.2.10:80 -r 198.51.100.1:80 -g -w 10"},
      {op(K::AddDestination, web, destination("198.51.100.1", 8080, 1, Forwarding::Masquerade)),
       "-a -t 192.0.2.10:80 -r 198.51.100.1:8080 -m -w 1"},
      {op(K::AddDestination, web, destination("198.51.100.1", 80, 0)),
       "-a -t 192.0.2.10:80 -r 198.51.100.1:80 -g -w 0"},
      {op(K::AddDestination, web, tunnel(destination("198.51.100.1", 80), TunnelType::Ipip, 0, 0)),
       "-a -t 192.0.2.10:80 -r 198.51.100.1:80 -i -w 10 --tun-type ipip"},
      {op(K::AddDestination, web,
          tunnel(destination("198.51.100.1", 80), TunnelType::Gue, 6080, 0)),
       "-a -t 192.0.2.10:80 -r 198.51.100.1:80 -i -w 10 --tun-type gue --tun-port 6080 "
       "--tun-nocsum"},
      {op(K::AddDestination, web,
          tunnel(destination("198.51.100.1", 80), TunnelType::Gue, 6080, kTunnelFlagCsum)),
       "-a -t 192.0.2.10:80 -r 198.51.100.1:80 -i -w 10 --tun-type gue --tun-port 6080 "
       "--tun-csum"},
      {op(K::AddDestination, web,
          tunnel(destination("198.51.100.1", 80), TunnelType::Gue, 6080, kTunnelFlagRemoteCsum)),
       "-a -t 192.0.2.10:80 -r 198.51.100.1:80 -i -w 10 --tun-type gue --tun-port 6080 "
       "--tun-remcsum"},
      {op(K::AddDestination, web,
          tunnel(destination("198.51.100.1", 80), TunnelType::Gre, 0, kTunnelFlagCsum)),
       "-a -t 192.0.2.10:80 -r 198.51.100.1:80 -i -w 10 --tun-type gre --tun-csum"},
      {op(K::AddDestination, web, tunnel(destination("198.51.100.1", 80), TunnelType::Gre, 0, 0)),
       "-a -t 192.0.2.10:80 -r 198.51.100.1:80 -i -w 10 --tun-type gre --tun-nocsum"},
      // Tunnel fields are printed only for a tunnel.
      {op(K::AddDestination, web,
          [] {
            Destination d = tunnel(destination("198.51.100.1", 80), TunnelType::Gue, 6080, 1);
            d.forwarding = Forwarding::DirectRoute;
            return d;
          }()),
       "-a -t 192.0.2.10:80 -r 198.51.100.1:80 -g -w 10"},
      {op(K::AddDestination, web, thresholds(destination("198.51.100.1", 80), 1000, 800)),
       "-a -t 192.0.2.10:80 -r 198.51.100.1:80 -g -w 10 -x 1000 -y 800"},
      {op(K::AddDestination, web, thresholds(destination("198.51.100.1", 80), 1000, 0)),
       "-a -t 192.0.2.10:80 -r 198.51.100.1:80 -g -w 10 -x 1000"},
      {op(K::AddDestination, web,
          thresholds(tunnel(destination("198.51.100.1", 80), TunnelType::Ipip, 0, 0), 50, 10)),
       "-a -t 192.0.2.10:80 -r 198.51.100.1:80 -i -w 10 --tun-type ipip -x 50 -y 10"},
      {op(K::AddDestination, web6, destination("2001:db8:1::1", 443, 5)),
       "-a -t [2001:db8::10]:443 -r [2001:db8:1::1]:443 -g -w 5"},
      {op(K::AddDestination, web, tunnel(destination("2001:db8:1::1", 80), TunnelType::Ipip, 0, 0)),
       "-a -t 192.0.2.10:80 -r [2001:db8:1::1]:80 -i -w 10 --tun-type ipip"},
      {op(K::AddDestination, service(fwmarkKey(7)), destination("198.51.100.1", 0)),
       "-a -f 7 -r 198.51.100.1:0 -g -w 10"},
      {op(K::AddDestination, service(fwmarkKey(7, IpAddress::Family::V6)),
          destination("2001:db8:1::1", 0)),
       "-a -f 7 -6 -r [2001:db8:1::1]:0 -g -w 10"},
      {op(K::AddDestination, service(key("192.0.2.53", 53, Protocol::Udp)),
          destination("198.51.100.1", 53)),
       "-a -u 192.0.2.53:53 -r 198.51.100.1:53 -g -w 10"},
      {op(K::EditDestination, web, destination("198.51.100.1", 80, 20)),
       "-e -t 192.0.2.10:80 -r 198.51.100.1:80 -g -w 20"},
      {op(K::EditDestination, web, thresholds(destination("198.51.100.1", 80, 20), 100, 0)),
       "-e -t 192.0.2.10:80 -r 198.51.100.1:80 -g -w 20 -x 100"},
      {op(K::DeleteDestination, web, destination("198.51.100.1", 80)),
       "-d -t 192.0.2.10:80 -r 198.51.100.1:80"},
      {op(K::DeleteDestination, web6, destination("2001:db8:1::1", 443)),
       "-d -t [2001:db8::10]:443 -r [2001:db8:1::1]:443"},
  };
  for (const auto& v : vectors) {
    EXPECT_EQ(toIpvsadm(v.operation), v.text);
  }
}

struct TableStep {
  Operation operation;
  int error;
};

TEST(ApplyToTable, FailsWithTheKernelsErrnos) {
  const Service web = service(kWeb);
  const Destination a = destination("198.51.100.1", 80);
  const std::vector<TableStep> steps = {
      {op(K::AddDestination, web, a), ESRCH},
      {op(K::EditService, web), ESRCH},
      {op(K::DeleteService, web), ESRCH},
      {op(K::AddService, service(kWeb, "nosuch")), ENOENT},
      {op(K::AddService, web), 0},
      {op(K::AddService, web), EEXIST},
      {op(K::EditService, service(kWeb, "nosuch")), ENOENT},
      {op(K::EditDestination, web, a), ENOENT},
      {op(K::DeleteDestination, web, a), ENOENT},
      {op(K::AddDestination, web), EINVAL},
      {op(K::AddDestination, web, destination("198.51.100.1", 80, 0x80000000u)), ERANGE},
      {op(K::AddDestination, web, thresholds(a, 10, 20)), ERANGE},
      {op(K::AddDestination, web, thresholds(a, 0, 20)), ERANGE},
      {op(K::AddDestination, web, tunnel(a, TunnelType::Gue, 0, 0)), EINVAL},
      {op(K::AddDestination, web, destination("2001:db8:1::1", 80)), EINVAL},
      {op(K::AddDestination, web, tunnel(destination("2001:db8:1::1", 80), TunnelType::Ipip, 0, 0)),
       0},
      {op(K::AddDestination, web, a), 0},
      {op(K::AddDestination, web, a), EEXIST},
      {op(K::EditDestination, web, thresholds(a, 10, 20)), ERANGE},
      {op(K::EditDestination, web, destination("198.51.100.1", 80, 30)), 0},
      {op(K::DeleteDestination, web, a), 0},
      {op(K::DeleteDestination, web, a), ENOENT},
      {op(K::EditService, service(kWeb, "rr")), 0},
      {op(K::DeleteService, web), 0},
      {op(K::DeleteService, web), ESRCH},
  };
  Table table;
  for (const auto& step : steps) {
    const Table before = table;
    const int error = applyToTable(table, step.operation);
    EXPECT_EQ(error, step.error) << toIpvsadm(step.operation);
    if (error != 0) {
      EXPECT_EQ(table, before) << toIpvsadm(step.operation);
    }
  }
  EXPECT_TRUE(table.services.empty());
}

TEST(ApplyToTable, BuildsTheTableTheOperationsDescribe) {
  Table table;
  const Service web = service(kWeb);
  ASSERT_EQ(applyToTable(table, op(K::AddService, web)), 0);
  ASSERT_EQ(applyToTable(table, op(K::AddDestination, web, destination("198.51.100.1", 80))), 0);
  ASSERT_EQ(applyToTable(table, op(K::AddDestination, web, destination("198.51.100.2", 80))), 0);
  ASSERT_EQ(applyToTable(table, op(K::EditDestination, web, destination("198.51.100.2", 80, 30))),
            0);
  ASSERT_EQ(applyToTable(table, op(K::EditService, service(kWeb, "rr"))), 0);

  const ServiceEntry& entry = table.services.at(kWeb);
  EXPECT_EQ(entry.service.scheduler, "rr");
  ASSERT_EQ(entry.destinations.size(), 2u);
  EXPECT_EQ(entry.destinations.at({ip("198.51.100.2"), 80}).weight, 30u);
  EXPECT_EQ(entry.destinations.at({ip("198.51.100.1"), 80}).weight, 10u);
}

TEST(ErrorText, SpellsOutTheErrno) {
  EXPECT_EQ(errorText(EEXIST), "File exists");
  EXPECT_EQ(errorText(ENOENT), "No such file or directory");
  EXPECT_EQ(errorText(ESRCH), "No such process");
  EXPECT_EQ(errorText(100000), "error 100000");
}

TEST(Canonical, MakesEquivalentValuesEqual) {
  Service a = service(key("2001:db8::10", 443));
  Service b = a;
  a.netmask = 0xffffffff;
  b.netmask = 128;
  b.flags |= kFlagHashed;
  b.persistence_timeout = 300;  // without kFlagPersistent it means nothing
  EXPECT_NE(a, b);
  EXPECT_EQ(canonical(a), canonical(b));

  Service persistent_a = persistent(a, 300, 64);
  Service persistent_b = persistent(a, 300, 96);
  EXPECT_NE(canonical(persistent_a), canonical(persistent_b));

  ServiceKey mark_tcp = fwmarkKey(7);
  ServiceKey mark_udp = fwmarkKey(7);
  mark_udp.protocol = Protocol::Udp;
  EXPECT_EQ(canonical(mark_tcp), canonical(mark_udp));
  EXPECT_NE(canonical(mark_tcp), canonical(fwmarkKey(7, IpAddress::Family::V6)));

  Destination d = destination("198.51.100.1", 80);
  Destination e = d;
  e.tunnel_type = TunnelType::Gue;
  e.tunnel_port = 6080;
  EXPECT_EQ(canonical(d), canonical(e));
  e.forwarding = Forwarding::Tunnel;
  EXPECT_NE(canonical(d), canonical(e));
}

}  // namespace
}  // namespace vipd::ipvs
