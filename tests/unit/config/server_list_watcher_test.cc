#include "config/server_list_watcher.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

namespace vipd::config {
namespace {

constexpr auto kPoll = std::chrono::milliseconds(5);

class ServerListWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("vipd-watcher-" + std::to_string(::getpid()) + "-" + info->name());
    std::filesystem::create_directories(dir_);
    file_ = dir_ / "servers.txt";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void write(const std::string& text) {
    std::ofstream out(file_, std::ios::binary | std::ios::trunc);
    out << text;
  }

  ServerListWatcher makeWatcher() {
    return ServerListWatcher(
        io_, file_, kPoll,
        [this](const std::vector<ServerConfig>& servers) { lists_.push_back(servers); },
        [this](const Diagnostics& errors) { errors_.push_back(errors); });
  }

  // Runs the loop until `done` holds, for at most about five seconds (a bound for a broken
  // build, not a timing assertion).
  bool runUntil(const std::function<bool()>& done) {
    for (int i = 0; i < 1000 && !done(); ++i) {
      io_.run_for(std::chrono::milliseconds(5));
    }
    return done();
  }

  // Lets the watcher poll several times.
  void runPolls(int polls) {
    for (int i = 0; i < polls; ++i) {
      io_.run_for(kPoll * 2);
    }
  }

  boost::asio::io_context io_;
  std::filesystem::path dir_;
  std::filesystem::path file_;
  std::vector<std::vector<ServerConfig>> lists_;
  std::vector<Diagnostics> errors_;
};

const std::string kOne = "{'host': 'a.example', 'weight': 10}\n";
const std::string kTwo = kOne + "{'host': 'b.example'}\n";

TEST_F(ServerListWatcherTest, ReportsTheListBeforeStartReturns) {
  write(kOne);
  auto watcher = makeWatcher();
  watcher.start();
  ASSERT_EQ(lists_.size(), 1U);
  EXPECT_EQ(lists_[0].at(0).host, "a.example");
  EXPECT_TRUE(errors_.empty());
  EXPECT_EQ(watcher.file(), file_);
}

TEST_F(ServerListWatcherTest, PicksUpAnEdit) {
  write(kOne);
  auto watcher = makeWatcher();
  watcher.start();
  write(kTwo);
  ASSERT_TRUE(runUntil([this] { return lists_.size() == 2; }));
  EXPECT_EQ(lists_[1].size(), 2U);
}

TEST_F(ServerListWatcherTest, PicksUpAnEditOfTheSameSizeWithinTheSameSecond) {
  write(kOne);
  auto watcher = makeWatcher();
  watcher.start();
  write("{'host': 'a.example', 'weight': 20}\n");
  ASSERT_TRUE(runUntil([this] { return lists_.size() == 2; }));
  EXPECT_EQ(lists_[1].at(0).weight, 20U);
}

TEST_F(ServerListWatcherTest, StaysQuietWhileTheListIsUnchanged) {
  write(kOne);
  auto watcher = makeWatcher();
  watcher.start();
  write("# the same servers\n" + kOne);  // new content, same list
  runPolls(20);
  EXPECT_EQ(lists_.size(), 1U);
  EXPECT_TRUE(errors_.empty());
}

TEST_F(ServerListWatcherTest, KeepsTheLastGoodListAcrossABadEditAndReportsItOnce) {
  write(kOne);
  auto watcher = makeWatcher();
  watcher.start();
  write(kOne + "{'host': \n");
  ASSERT_TRUE(runUntil([this] { return errors_.size() == 1; }));
  runPolls(20);
  EXPECT_EQ(errors_.size(), 1U);
  EXPECT_EQ(errors_[0].at(0).line, 2);
  EXPECT_EQ(lists_.size(), 1U);

  write(kOne + "{'host': 'c.example', 'weight': bad}\n");
  ASSERT_TRUE(runUntil([this] { return errors_.size() == 2; }));

  write(kTwo);
  ASSERT_TRUE(runUntil([this] { return lists_.size() == 2; }));
  EXPECT_EQ(lists_[1].size(), 2U);
}

TEST_F(ServerListWatcherTest, ReportsARemovalOnceAndARestoredFileOnlyIfItChanged) {
  write(kOne);
  auto watcher = makeWatcher();
  watcher.start();
  std::filesystem::remove(file_);
  ASSERT_TRUE(runUntil([this] { return errors_.size() == 1; }));
  EXPECT_NE(errors_[0].at(0).message.find("cannot read"), std::string::npos);
  runPolls(20);
  EXPECT_EQ(errors_.size(), 1U);

  write(kOne);
  runPolls(20);
  EXPECT_EQ(lists_.size(), 1U);  // the same list as before the removal

  write(kTwo);
  ASSERT_TRUE(runUntil([this] { return lists_.size() == 2; }));
}

TEST_F(ServerListWatcherTest, ReportsAFileMissingAtStartAndThenItsArrival) {
  auto watcher = makeWatcher();
  watcher.start();
  ASSERT_EQ(errors_.size(), 1U);
  EXPECT_TRUE(lists_.empty());
  write(kOne);
  ASSERT_TRUE(runUntil([this] { return lists_.size() == 1; }));
}

TEST_F(ServerListWatcherTest, StopsPollingWhenStopped) {
  write(kOne);
  auto watcher = makeWatcher();
  watcher.start();
  watcher.stop();
  write(kTwo);
  runPolls(20);
  EXPECT_EQ(lists_.size(), 1U);
}

TEST_F(ServerListWatcherTest, CanBeDestroyedWithAWaitPending) {
  write(kOne);
  {
    auto watcher = makeWatcher();
    watcher.start();
  }
  write(kTwo);
  runPolls(5);
  EXPECT_EQ(lists_.size(), 1U);
}

}  // namespace
}  // namespace vipd::config
