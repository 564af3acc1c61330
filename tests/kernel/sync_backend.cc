#include "sync_backend.h"

#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <cstdlib>
#include <optional>

namespace vipd::kernel_test {

std::expected<std::unique_ptr<SyncBackend>, std::string> SyncBackend::open() {
  auto io = std::make_unique<boost::asio::io_context>();
  auto backend = ipvs::NetlinkBackend::open(*io);
  if (!backend) {
    return std::unexpected(backend.error());
  }
  return std::unique_ptr<SyncBackend>(new SyncBackend(std::move(io), std::move(*backend)));
}

SyncBackend::SyncBackend(std::unique_ptr<boost::asio::io_context> io,
                         std::unique_ptr<ipvs::NetlinkBackend> backend)
    : io_(std::move(io)), backend_(std::move(backend)) {}

SyncBackend::~SyncBackend() {
  backend_.reset();
  io_->run();  // lets the cancelled wait finish before the io_context goes
}

template <typename Value, typename Start>
Value SyncBackend::wait(Start start) {
  std::optional<Value> value;
  start([&value](Value result) { value = std::move(result); });
  io_->restart();
  while (!value) {
    if (io_->run_one() == 0) {
      std::fprintf(stderr, "sync backend: the io_context ran out of work without a result\n");
      std::abort();
    }
  }
  return std::move(*value);
}

std::vector<ipvs::OperationResult> SyncBackend::apply(std::vector<ipvs::Operation> operations) {
  return wait<std::vector<ipvs::OperationResult>>(
      [&](auto done) { backend_->apply(std::move(operations), done); });
}

std::expected<ipvs::Table, std::string> SyncBackend::dump() {
  return wait<std::expected<ipvs::Table, std::string>>([&](auto done) { backend_->dump(done); });
}

std::expected<ipvs::StatisticsTable, std::string> SyncBackend::statistics() {
  return wait<std::expected<ipvs::StatisticsTable, std::string>>(
      [&](auto done) { backend_->dumpStatistics(done); });
}

std::expected<ipvs::KernelInfo, std::string> SyncBackend::info() {
  return wait<std::expected<ipvs::KernelInfo, std::string>>(
      [&](auto done) { backend_->info(done); });
}

std::expected<ipvs::Timeouts, std::string> SyncBackend::timeouts() {
  return wait<std::expected<ipvs::Timeouts, std::string>>(
      [&](auto done) { backend_->timeouts(done); });
}

std::expected<void, std::string> SyncBackend::setTimeouts(const ipvs::Timeouts& timeouts) {
  return wait<std::expected<void, std::string>>(
      [&](auto done) { backend_->setTimeouts(timeouts, done); });
}

std::expected<ipvs::TimeoutsChange, std::string> SyncBackend::applyTimeouts(
    const ipvs::Timeouts& timeouts) {
  return wait<std::expected<ipvs::TimeoutsChange, std::string>>(
      [&](auto done) { ipvs::applyTimeouts(*backend_, timeouts, done); });
}

bool SyncBackend::clear() {
  const auto table = dump();
  if (!table) {
    std::fprintf(stderr, "sync backend: %s\n", table.error().c_str());
    return false;
  }
  std::vector<ipvs::Operation> deletes;
  for (const auto& [key, entry] : table->services) {
    deletes.push_back({ipvs::OperationKind::DeleteService, entry.service, std::nullopt});
  }
  bool cleared = true;
  for (const ipvs::OperationResult& result : apply(std::move(deletes))) {
    if (!result.ok()) {
      std::fprintf(stderr, "sync backend: %s: %s\n", ipvs::toIpvsadm(result.operation).c_str(),
                   result.message.c_str());
      cleared = false;
    }
  }
  return cleared;
}

}  // namespace vipd::kernel_test
