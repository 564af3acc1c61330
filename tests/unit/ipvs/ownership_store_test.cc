#include "ipvs/ownership_store.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

namespace vipd::ipvs {
namespace {

ServiceKey tcp(const char* address, std::uint16_t port) {
  const auto parsed = *IpAddress::parse(address);
  return {parsed.family(), Protocol::Tcp, parsed, port, 0};
}

ServiceKey fwmark(std::uint32_t mark, IpAddress::Family family) {
  return {family, Protocol::Tcp, IpAddress(), 0, mark};
}

// The array through its JSON text, as the state file holds it.
std::string encodeText(const std::set<ServiceKey>& owned) {
  return boost::json::serialize(encodeOwnedServices(owned));
}

std::expected<std::set<ServiceKey>, std::string> decodeText(std::string_view text) {
  return decodeOwnedServices(boost::json::parse(text));
}

std::set<ServiceKey> varied() {
  ServiceKey udp6 = tcp("2001:db8::53", 53);
  udp6.protocol = Protocol::Udp;
  ServiceKey sctp = tcp("192.0.2.11", 3868);
  sctp.protocol = Protocol::Sctp;
  return {tcp("192.0.2.10", 80), udp6, sctp, fwmark(7, IpAddress::Family::V4),
          fwmark(4294967295U, IpAddress::Family::V6)};
}

TEST(OwnershipDecode, KeysAreReadableJson) {
  EXPECT_EQ(encodeText({tcp("192.0.2.10", 80), fwmark(7, IpAddress::Family::V6)}),
            "[{\"family\":\"ipv4\",\"protocol\":\"tcp\","
            "\"address\":\"192.0.2.10\",\"port\":80},{\"family\":\"ipv6\",\"fwmark\":7}]");
}

TEST(OwnershipDecode, FwmarkKeysAreCanonical) {
  ServiceKey spelled = fwmark(9, IpAddress::Family::V4);
  spelled.protocol = Protocol::Udp;
  spelled.port = 80;
  const auto owned = decodeText(encodeText({spelled}));
  ASSERT_TRUE(owned.has_value()) << owned.error();
  EXPECT_EQ(*owned, std::set<ServiceKey>{fwmark(9, IpAddress::Family::V4)});
}

TEST(OwnershipDecode, EveryKindOfKeyDecodesBackEqual) {
  const auto owned = decodeText(encodeText(varied()));
  ASSERT_TRUE(owned.has_value()) << owned.error();
  EXPECT_EQ(*owned, varied());
}

TEST(OwnershipDecode, BadContentIsDescribed) {
  struct Case {
    std::string text;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"{}", "\"services\" must be an array"},
      {"[3]", "service 0: a service must be an object"},
      {"[{\"family\":\"ipx\"}]", "service 0: \"family\" must be \"ipv4\" or \"ipv6\""},
      {"[{\"family\":\"ipv4\",\"protocol\":\"icmp\"}]", "service 0: unknown protocol \"icmp\""},
      {"[{\"family\":\"ipv4\",\"protocol\":\"tcp\","
       "\"address\":\"2001:db8::1\",\"port\":80}]",
       "service 0: \"address\" must be an address of the service's family"},
      {"[{\"family\":\"ipv4\",\"protocol\":\"tcp\","
       "\"address\":\"192.0.2.1\",\"port\":65536}]",
       "service 0: \"port\" must be a whole number in 1..65535"},
      {"[{\"family\":\"ipv4\",\"fwmark\":0}]",
       "service 0: \"fwmark\" must be a whole number in 1..4294967295"},
  };
  for (const auto& test : cases) {
    const auto owned = decodeText(test.text);
    ASSERT_FALSE(owned.has_value()) << test.text;
    EXPECT_TRUE(owned.error().starts_with(test.error)) << test.text << ": " << owned.error();
  }
}

}  // namespace
}  // namespace vipd::ipvs
