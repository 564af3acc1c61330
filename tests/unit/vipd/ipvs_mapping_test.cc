#include "vipd/ipvs_mapping.h"

#include <gtest/gtest.h>

namespace vipd {
namespace {

config::ServiceConfig webService() {
  config::ServiceConfig service;
  service.name = "web";
  service.protocol = config::Protocol::Tcp;
  service.vip = IpAddress::parse("192.0.2.10");
  service.port = 80;
  service.scheduler = "wrr";
  return service;
}

TEST(IpvsMapping, PlainServiceTakesProtocolAddressPortAndScheduler) {
  const auto service = toIpvsService(webService());
  ASSERT_TRUE(service.has_value()) << service.error();
  EXPECT_EQ(service->key.protocol, ipvs::Protocol::Tcp);
  EXPECT_EQ(service->key.address, *IpAddress::parse("192.0.2.10"));
  EXPECT_EQ(service->key.port, 80);
  EXPECT_EQ(service->key.fwmark, 0U);
  EXPECT_EQ(service->scheduler, "wrr");
  EXPECT_EQ(service->flags, 0U);
  EXPECT_EQ(service->netmask, 0xffffffffU);
}

TEST(IpvsMapping, PersistenceFlagsAndOnePacket) {
  auto config = webService();
  config.protocol = config::Protocol::Udp;
  config.scheduler = "sh";
  config.scheduler_flags = {"sh-fallback", "sh-port"};
  config.one_packet = true;
  config.persistence_timeout = 300;
  config.persistence_netmask = "255.255.255.0";

  const auto service = toIpvsService(config);
  ASSERT_TRUE(service.has_value()) << service.error();
  EXPECT_EQ(service->flags,
            ipvs::kFlagSched1 | ipvs::kFlagSched2 | ipvs::kFlagOnePacket | ipvs::kFlagPersistent);
  EXPECT_EQ(service->persistence_timeout, 300U);
  EXPECT_EQ(service->netmask, 0xffffff00U);
}

TEST(IpvsMapping, Ipv6NetmaskIsAPrefixLength) {
  auto config = webService();
  config.vip = IpAddress::parse("2001:db8::10");
  config.persistence_timeout = 60;
  config.persistence_netmask = "64";
  const auto service = toIpvsService(config);
  ASSERT_TRUE(service.has_value()) << service.error();
  EXPECT_EQ(service->key.family, IpAddress::Family::V6);
  EXPECT_EQ(service->netmask, 64U);

  config.persistence_netmask = "255.255.255.0";
  EXPECT_FALSE(toIpvsService(config).has_value());
}

TEST(IpvsMapping, FwmarkServiceHasNoAddress) {
  auto config = webService();
  config.vip.reset();
  config.port = 0;
  config.fwmark = 7;
  config.fwmark_family = IpAddress::Family::V6;
  const auto service = toIpvsService(config);
  ASSERT_TRUE(service.has_value()) << service.error();
  EXPECT_EQ(service->key.fwmark, 7U);
  EXPECT_EQ(service->key.family, IpAddress::Family::V6);
  EXPECT_EQ(service->key.port, 0);
}

TEST(IpvsMapping, UnknownSchedulerFlagIsAnError) {
  auto config = webService();
  config.scheduler_flags = {"flag-9"};
  const auto service = toIpvsService(config);
  ASSERT_FALSE(service.has_value());
  EXPECT_EQ(service.error(), "unknown scheduler flag 'flag-9'");
}

TEST(IpvsMapping, DepooledServerIsRemovedOrDrainedAsConfigured) {
  auto config = webService();
  config.forwarding = config::Forwarding::Nat;
  const auto address = *IpAddress::parse("198.51.100.1");

  const auto pooled = toIpvsDestination(config, address, 8080, 10, true);
  ASSERT_TRUE(pooled.has_value());
  EXPECT_EQ(pooled->weight, 10U);
  EXPECT_EQ(pooled->key.port, 8080);
  EXPECT_EQ(pooled->forwarding, ipvs::Forwarding::Masquerade);

  EXPECT_FALSE(toIpvsDestination(config, address, 8080, 10, false).has_value());

  config.depool_action = config::DepoolAction::Drain;
  const auto drained = toIpvsDestination(config, address, 8080, 10, false);
  ASSERT_TRUE(drained.has_value());
  EXPECT_EQ(drained->weight, 0U);
}

}  // namespace
}  // namespace vipd
