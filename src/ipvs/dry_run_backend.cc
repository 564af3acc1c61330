#include "ipvs/dry_run_backend.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <utility>

namespace vipd::ipvs {

DryRunBackend::DryRunBackend(boost::asio::io_context& io, std::FILE* out) : io_(io), out_(out) {}

void DryRunBackend::apply(std::vector<Operation> operations, ApplyDone done) {
  std::vector<OperationResult> results;
  results.reserve(operations.size());
  for (auto& operation : operations) {
    const int error = applyToTable(table_, operation);
    if (error == 0) {
      // Flushed line by line: whoever reads the pipe (ipvsadm -R, a test) sees each change
      // as it is made, not when a buffer fills.
      const std::string line = toIpvsadm(operation) + "\n";
      std::fputs(line.c_str(), out_);
      std::fflush(out_);
    }
    results.push_back({std::move(operation), error, error == 0 ? "" : errorText(error)});
  }

  boost::asio::post(io_, [done = std::move(done), results = std::move(results)]() mutable {
    done(std::move(results));
  });
}

void DryRunBackend::dump(DumpDone done) {
  boost::asio::post(io_,
                    [done = std::move(done), table = table_]() mutable { done(std::move(table)); });
}

void DryRunBackend::timeouts(TimeoutsDone done) {
  boost::asio::post(io_, [done = std::move(done), timeouts = timeouts_] { done(timeouts); });
}

void DryRunBackend::setTimeouts(const Timeouts& timeouts, SetTimeoutsDone done) {
  // As the kernel does: a 0 leaves that timeout as it is.
  const auto merge = [](std::uint32_t wanted, std::uint32_t now) { return wanted ? wanted : now; };
  timeouts_ = {merge(timeouts.tcp, timeouts_.tcp), merge(timeouts.tcp_fin, timeouts_.tcp_fin),
               merge(timeouts.udp, timeouts_.udp)};
  boost::asio::post(io_, [done = std::move(done)] { done({}); });
}

}  // namespace vipd::ipvs
