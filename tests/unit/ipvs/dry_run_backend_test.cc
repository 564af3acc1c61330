#include "ipvs/dry_run_backend.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace vipd::ipvs {
namespace {

// An in-memory FILE*: its text is readable after each fflush.
class MemoryStream {
 public:
  MemoryStream() : file_(open_memstream(&buffer_, &size_)) {}
  ~MemoryStream() {
    std::fclose(file_);
    std::free(buffer_);
  }
  MemoryStream(const MemoryStream&) = delete;
  MemoryStream& operator=(const MemoryStream&) = delete;

  std::FILE* file() const { return file_; }
  // What has been flushed so far.
  std::string text() const { return buffer_ ? std::string(buffer_, size_) : std::string(); }

 private:
  char* buffer_ = nullptr;
  std::size_t size_ = 0;
  std::FILE* file_;
};

Service web() {
  Service out;
  out.key = {IpAddress::Family::V4, Protocol::Tcp, *IpAddress::parse("192.0.2.10"), 80, 0};
  out.scheduler = "wrr";
  return out;
}

Destination server(const char* address, std::uint32_t weight = 10) {
  Destination out;
  out.key = {*IpAddress::parse(address), 80};
  out.weight = weight;
  return out;
}

std::vector<Operation> addWebWithTwoServers() {
  return {{OperationKind::AddService, web(), std::nullopt},
          {OperationKind::AddDestination, web(), server("198.51.100.1")},
          {OperationKind::AddDestination, web(), server("198.51.100.2", 20)}};
}

TEST(DryRunBackend, PrintsEachOperationInsideApplyAndPostsTheResults) {
  boost::asio::io_context io;
  MemoryStream out;
  DryRunBackend backend(io, out.file());

  std::optional<std::vector<OperationResult>> results;
  backend.apply(addWebWithTwoServers(), [&](std::vector<OperationResult> r) { results = r; });

  EXPECT_EQ(out.text(),
            "-A -t 192.0.2.10:80 -s wrr\n"
            "-a -t 192.0.2.10:80 -r 198.51.100.1:80 -g -w 10\n"
            "-a -t 192.0.2.10:80 -r 198.51.100.2:80 -g -w 20\n");
  EXPECT_FALSE(results.has_value());

  io.run();
  ASSERT_TRUE(results.has_value());
  ASSERT_EQ(results->size(), 3u);
  for (const auto& result : *results) {
    EXPECT_TRUE(result.ok());
    EXPECT_EQ(result.message, "");
  }
  EXPECT_EQ(backend.table().services.at(web().key).destinations.size(), 2u);
}

TEST(DryRunBackend, PrintsNothingForAFailedOperationAndReportsItsErrno) {
  boost::asio::io_context io;
  MemoryStream out;
  DryRunBackend backend(io, out.file());
  backend.apply(addWebWithTwoServers(), [](std::vector<OperationResult>) {});
  io.run();
  io.restart();
  const std::string before = out.text();

  std::vector<OperationResult> results;
  backend.apply({{OperationKind::AddDestination, web(), server("198.51.100.1")},
                 {OperationKind::EditDestination, web(), server("198.51.100.1", 0)},
                 {OperationKind::DeleteDestination, web(), server("198.51.100.3")}},
                [&](std::vector<OperationResult> r) { results = std::move(r); });
  io.run();

  EXPECT_EQ(out.text(), before + "-e -t 192.0.2.10:80 -r 198.51.100.1:80 -g -w 0\n");
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].error, EEXIST);
  EXPECT_EQ(results[0].message, "File exists");
  EXPECT_TRUE(results[1].ok());
  EXPECT_EQ(results[2].error, ENOENT);
  EXPECT_EQ(results[2].operation.destination->key, server("198.51.100.3").key);
}

TEST(DryRunBackend, StartsFromAnEmptyTable) {
  boost::asio::io_context io;
  MemoryStream out;
  DryRunBackend backend(io, out.file());

  std::optional<Table> dumped;
  backend.dump([&](std::expected<Table, std::string> table) { dumped = table.value(); });
  EXPECT_FALSE(dumped.has_value());
  io.run();

  ASSERT_TRUE(dumped.has_value());
  EXPECT_TRUE(dumped->services.empty());
  EXPECT_EQ(out.text(), "");
  EXPECT_EQ(backend.name(), "dry-run");
}

TEST(DryRunBackend, DumpPostsACopyTakenWhenAsked) {
  boost::asio::io_context io;
  MemoryStream out;
  DryRunBackend backend(io, out.file());
  backend.apply(addWebWithTwoServers(), [](std::vector<OperationResult>) {});

  std::optional<Table> dumped;
  backend.dump([&](std::expected<Table, std::string> table) { dumped = table.value(); });
  backend.apply({{OperationKind::DeleteService, web(), std::nullopt}},
                [](std::vector<OperationResult>) {});
  io.run();

  ASSERT_TRUE(dumped.has_value());
  EXPECT_EQ(dumped->services.at(web().key).destinations.size(), 2u);
  EXPECT_TRUE(backend.table().services.empty());
}

TEST(DryRunBackend, TimeoutsStartAtAFreshKernelsAndZeroLeavesOneAsItIs) {
  boost::asio::io_context io;
  MemoryStream out;
  DryRunBackend backend(io, out.file());
  std::vector<Timeouts> read;
  const auto keep = [&](std::expected<Timeouts, std::string> timeouts) {
    ASSERT_TRUE(timeouts.has_value()) << timeouts.error();
    read.push_back(*timeouts);
  };
  bool set = false;

  backend.timeouts(keep);
  backend.setTimeouts({7200, 0, 60},
                      [&](std::expected<void, std::string> done) { set = done.has_value(); });
  backend.timeouts(keep);
  EXPECT_TRUE(read.empty());
  io.run();

  EXPECT_TRUE(set);
  EXPECT_EQ(read, (std::vector<Timeouts>{{900, 120, 300}, {7200, 120, 60}}));
  // Standard output carries rule lines only.
  EXPECT_EQ(out.text(), "");
}

TEST(DryRunBackend, QueuedResultsOutliveTheBackend) {
  boost::asio::io_context io;
  MemoryStream out;
  std::size_t delivered = 0;
  {
    DryRunBackend backend(io, out.file());
    backend.apply(addWebWithTwoServers(),
                  [&](std::vector<OperationResult> r) { delivered = r.size(); });
    backend.dump([](std::expected<Table, std::string>) {});
  }
  io.run();
  EXPECT_EQ(delivered, 3u);
}

}  // namespace
}  // namespace vipd::ipvs
