#include "vipd/state_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace vipd {
namespace {

namespace fs = std::filesystem;

ipvs::ServiceKey tcp(const char* address, std::uint16_t port) {
  const auto parsed = *IpAddress::parse(address);
  return {parsed.family(), ipvs::Protocol::Tcp, parsed, port, 0};
}

PersistentState varied() {
  PersistentState state;
  state.owned = {tcp("192.0.2.10", 80), tcp("2001:db8::10", 443)};
  state.overrides.disabled_servers = {{"web", "web1.example", 80}, {"web", "2001:db8::1", 8080}};
  state.overrides.held_vips = {"192.0.2.10"};
  return state;
}

class StateFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = fs::temp_directory_path() /
              ("vipd-state-" + std::to_string(::getpid()) + "-" +
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

TEST_F(StateFileTest, MissingFileIsAnEmptyState) {
  const auto state = StateFile(file("state.json")).load();
  ASSERT_TRUE(state.has_value()) << state.error();
  EXPECT_EQ(*state, PersistentState{});
}

TEST_F(StateFileTest, SavedStateLoadsBackEqual) {
  const StateFile store(file("state.json"));
  ASSERT_TRUE(store.save(varied()).has_value());
  const auto state = store.load();
  ASSERT_TRUE(state.has_value()) << state.error();
  EXPECT_EQ(*state, varied());
}

TEST_F(StateFileTest, SaveReplacesTheStateAndLeavesNoTemporaryFile) {
  const StateFile store(file("state.json"));
  ASSERT_TRUE(store.save(varied()).has_value());
  PersistentState next;
  next.owned = {tcp("192.0.2.20", 443)};
  ASSERT_TRUE(store.save(next).has_value());

  EXPECT_EQ(*store.load(), next);
  std::vector<fs::path> entries;
  for (const auto& entry : fs::directory_iterator(folder_)) {
    entries.push_back(entry.path().filename());
  }
  EXPECT_EQ(entries, std::vector<fs::path>{"state.json"});
}

TEST_F(StateFileTest, SaveCreatesTheFolder) {
  const StateFile store(folder_ / "var" / "lib" / "vipd" / "state.json");
  ASSERT_TRUE(store.save(varied()).has_value());
  EXPECT_EQ(store.load()->owned.size(), 2U);
}

TEST_F(StateFileTest, SaveThatCannotWriteSaysWhere) {
  write(file("blocker"), "not a folder");
  const auto saved = StateFile(file("blocker") / "state.json").save(varied());
  ASSERT_FALSE(saved.has_value());
  EXPECT_NE(saved.error().find("blocker"), std::string::npos) << saved.error();
}

TEST_F(StateFileTest, CorruptFileIsAnErrorNamingTheFile) {
  write(file("state.json"), "{\"version\":2,\"services\":[{\"family\":");
  const auto state = StateFile(file("state.json")).load();
  ASSERT_FALSE(state.has_value());
  EXPECT_NE(state.error().find("state.json: not JSON"), std::string::npos) << state.error();
}

TEST(StateFileFormat, VersionTwoIsWrittenAndReadable) {
  PersistentState state;
  state.owned = {tcp("192.0.2.10", 80)};
  state.overrides.disabled_servers = {{"web", "web1", 80}};
  state.overrides.held_vips = {"192.0.2.10"};
  EXPECT_EQ(encodeState(state),
            "{\"version\":2,\"services\":[{\"family\":\"ipv4\",\"protocol\":\"tcp\","
            "\"address\":\"192.0.2.10\",\"port\":80}],\"disabled_servers\":[{\"service\":"
            "\"web\",\"host\":\"web1\",\"port\":80}],\"held_vips\":[\"192.0.2.10\"]}\n");
}

TEST(StateFileFormat, VersionOneReadsAsOwnershipWithoutOverrides) {
  const auto state = decodeState(
      "{\"version\":1,\"services\":[{\"family\":\"ipv4\",\"protocol\":\"tcp\","
      "\"address\":\"192.0.2.10\",\"port\":80}]}");
  ASSERT_TRUE(state.has_value()) << state.error();
  EXPECT_EQ(state->owned, std::set<ipvs::ServiceKey>{tcp("192.0.2.10", 80)});
  EXPECT_EQ(state->overrides, OperatorOverrides{});
}

TEST(StateFileFormat, BadContentIsDescribed) {
  struct Case {
    std::string text;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"", "not JSON"},
      {"[]", "not a version 1 or 2 vipd state file"},
      {"{\"version\":3,\"services\":[]}", "not a version 1 or 2 vipd state file"},
      {"{\"version\":2}", "\"services\" must be an array"},
      {"{\"version\":2,\"services\":[3]}", "service 0: a service must be an object"},
      {"{\"version\":2,\"services\":[],\"disabled_servers\":{}}",
       "\"disabled_servers\" must be an array"},
      {"{\"version\":2,\"services\":[],\"disabled_servers\":[{\"service\":\"web\"}]}",
       "disabled server 0: must be"},
      {"{\"version\":2,\"services\":[],\"disabled_servers\":[{\"service\":\"web\","
       "\"host\":\"a\",\"port\":0}]}",
       "disabled server 0: must be"},
      {"{\"version\":2,\"services\":[],\"held_vips\":[7]}", "\"held_vips\" must hold strings"},
  };
  for (const auto& test : cases) {
    const auto state = decodeState(test.text);
    ASSERT_FALSE(state.has_value()) << test.text;
    EXPECT_TRUE(state.error().starts_with(test.error)) << test.text << ": " << state.error();
  }
}

}  // namespace
}  // namespace vipd
