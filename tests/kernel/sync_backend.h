// SyncBackend: a NetlinkBackend on its own io_context, each call run to completion, for
// tests that read as sequences of steps.
#pragma once

#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "ipvs/netlink_backend.h"
#include "ipvs/timeouts_applier.h"

namespace boost::asio {
class io_context;
}

namespace vipd::kernel_test {

class SyncBackend {
 public:
  static std::expected<std::unique_ptr<SyncBackend>, std::string> open();
  ~SyncBackend();
  SyncBackend(const SyncBackend&) = delete;
  SyncBackend& operator=(const SyncBackend&) = delete;

  std::vector<ipvs::OperationResult> apply(std::vector<ipvs::Operation> operations);
  std::expected<ipvs::Table, std::string> dump();
  std::expected<ipvs::StatisticsTable, std::string> statistics();
  std::expected<ipvs::KernelInfo, std::string> info();
  std::expected<ipvs::Timeouts, std::string> timeouts();
  std::expected<void, std::string> setTimeouts(const ipvs::Timeouts& timeouts);
  // ipvs::applyTimeouts(), as vipd calls it at start.
  std::expected<ipvs::TimeoutsChange, std::string> applyTimeouts(const ipvs::Timeouts& timeouts);
  // Deletes every service (and so every destination); false if that failed.
  bool clear();

  ipvs::NetlinkBackend& backend() { return *backend_; }
  boost::asio::io_context& io() { return *io_; }

 private:
  SyncBackend(std::unique_ptr<boost::asio::io_context> io,
              std::unique_ptr<ipvs::NetlinkBackend> backend);

  // Runs the io_context until `start`'s callback has given a value.
  template <typename Value, typename Start>
  Value wait(Start start);

  std::unique_ptr<boost::asio::io_context> io_;
  std::unique_ptr<ipvs::NetlinkBackend> backend_;
};

}  // namespace vipd::kernel_test
