#include "ipvs/ownership_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace vipd::ipvs {
namespace {

namespace fs = std::filesystem;

ServiceKey tcp(const char* address, std::uint16_t port) {
  const auto parsed = *IpAddress::parse(address);
  return {parsed.family(), Protocol::Tcp, parsed, port, 0};
}

ServiceKey fwmark(std::uint32_t mark, IpAddress::Family family) {
  return {family, Protocol::Tcp, IpAddress(), 0, mark};
}

std::set<ServiceKey> varied() {
  ServiceKey udp6 = tcp("2001:db8::53", 53);
  udp6.protocol = Protocol::Udp;
  ServiceKey sctp = tcp("192.0.2.11", 3868);
  sctp.protocol = Protocol::Sctp;
  return {tcp("192.0.2.10", 80), udp6, sctp, fwmark(7, IpAddress::Family::V4),
          fwmark(4294967295U, IpAddress::Family::V6)};
}

class OwnershipStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = fs::temp_directory_path() /
              ("vipd-ownership-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(folder_);
    fs::create_directories(folder_);
  }
  void TearDown() override { fs::remove_all(folder_); }

  fs::path file(const char* name) const { return folder_ / name; }

  void write(const fs::path& path, const std::string& text) const {
    std::ofstream(path, std::ios::binary) << text;
  }

  fs::path folder_;
};

TEST_F(OwnershipStoreTest, MissingFileIsAnEmptySet) {
  const auto owned = OwnershipStore(file("state.json")).load();
  ASSERT_TRUE(owned.has_value()) << owned.error();
  EXPECT_TRUE(owned->empty());
}

TEST_F(OwnershipStoreTest, SavedSetLoadsBackEqual) {
  const OwnershipStore store(file("state.json"));
  ASSERT_TRUE(store.save(varied()).has_value());
  const auto owned = store.load();
  ASSERT_TRUE(owned.has_value()) << owned.error();
  EXPECT_EQ(*owned, varied());
}

TEST_F(OwnershipStoreTest, SaveReplacesTheSetAndLeavesNoTemporaryFile) {
  const OwnershipStore store(file("state.json"));
  ASSERT_TRUE(store.save(varied()).has_value());
  ASSERT_TRUE(store.save({tcp("192.0.2.20", 443)}).has_value());

  EXPECT_EQ(*store.load(), std::set<ServiceKey>{tcp("192.0.2.20", 443)});
  std::vector<fs::path> entries;
  for (const auto& entry : fs::directory_iterator(folder_)) {
    entries.push_back(entry.path().filename());
  }
  EXPECT_EQ(entries, std::vector<fs::path>{"state.json"});
}

TEST_F(OwnershipStoreTest, SaveCreatesTheFolder) {
  const OwnershipStore store(folder_ / "var" / "lib" / "vipd" / "state.json");
  ASSERT_TRUE(store.save({tcp("192.0.2.10", 80)}).has_value());
  EXPECT_EQ(store.load()->size(), 1U);
}

TEST_F(OwnershipStoreTest, SaveThatCannotWriteSaysWhereAndKeepsTheOldFile) {
  write(file("blocker"), "not a folder");
  const auto saved = OwnershipStore(file("blocker") / "state.json").save(varied());
  ASSERT_FALSE(saved.has_value());
  EXPECT_NE(saved.error().find("blocker"), std::string::npos) << saved.error();
}

TEST_F(OwnershipStoreTest, FileFormatIsVersionedAndReadable) {
  const std::string text =
      encodeOwnership({tcp("192.0.2.10", 80), fwmark(7, IpAddress::Family::V6)});
  EXPECT_EQ(text,
            "{\"version\":1,\"services\":[{\"family\":\"ipv4\",\"protocol\":\"tcp\","
            "\"address\":\"192.0.2.10\",\"port\":80},{\"family\":\"ipv6\",\"fwmark\":7}]}\n");
}

TEST_F(OwnershipStoreTest, FwmarkKeysAreCanonical) {
  ServiceKey spelled = fwmark(9, IpAddress::Family::V4);
  spelled.protocol = Protocol::Udp;
  spelled.port = 80;
  const auto owned = decodeOwnership(encodeOwnership({spelled}));
  ASSERT_TRUE(owned.has_value()) << owned.error();
  EXPECT_EQ(*owned, std::set<ServiceKey>{fwmark(9, IpAddress::Family::V4)});
}

TEST_F(OwnershipStoreTest, CorruptFileIsAnErrorNamingTheFile) {
  write(file("state.json"), "{\"version\":1,\"services\":[{\"family\":");
  const auto owned = OwnershipStore(file("state.json")).load();
  ASSERT_FALSE(owned.has_value());
  EXPECT_NE(owned.error().find("state.json: not JSON"), std::string::npos) << owned.error();
}

TEST(OwnershipDecode, BadContentIsDescribed) {
  struct Case {
    std::string text;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"", "not JSON"},
      {"[]", "not a version 1 vipd state file"},
      {"{\"version\":2,\"services\":[]}", "not a version 1 vipd state file"},
      {"{\"version\":1}", "\"services\" must be an array"},
      {"{\"version\":1,\"services\":[3]}", "service 0: a service must be an object"},
      {"{\"version\":1,\"services\":[{\"family\":\"ipx\"}]}",
       "service 0: \"family\" must be \"ipv4\" or \"ipv6\""},
      {"{\"version\":1,\"services\":[{\"family\":\"ipv4\",\"protocol\":\"icmp\"}]}",
       "service 0: unknown protocol \"icmp\""},
      {"{\"version\":1,\"services\":[{\"family\":\"ipv4\",\"protocol\":\"tcp\","
       "\"address\":\"2001:db8::1\",\"port\":80}]}",
       "service 0: \"address\" must be an address of the service's family"},
      {"{\"version\":1,\"services\":[{\"family\":\"ipv4\",\"protocol\":\"tcp\","
       "\"address\":\"192.0.2.1\",\"port\":65536}]}",
       "service 0: \"port\" must be a whole number in 1..65535"},
      {"{\"version\":1,\"services\":[{\"family\":\"ipv4\",\"fwmark\":0}]}",
       "service 0: \"fwmark\" must be a whole number in 1..4294967295"},
  };
  for (const auto& test : cases) {
    const auto owned = decodeOwnership(test.text);
    ASSERT_FALSE(owned.has_value()) << test.text;
    EXPECT_TRUE(owned.error().starts_with(test.error)) << test.text << ": " << owned.error();
  }
}

}  // namespace
}  // namespace vipd::ipvs
