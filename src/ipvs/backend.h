// Backend: where IPVS changes go. Asynchronous, as a real kernel is: apply() sends a batch
// and reports each operation's result (a partial failure leaves the rest applied); dump()
// reads what the table holds now; timeouts() and setTimeouts() read and set the global
// connection timeouts. Implementations: DryRunBackend (stdout, in memory) and
// NetlinkBackend. Work is done in the order asked, and results are delivered from the
// io_context, never from inside the call.
#pragma once

#include <expected>
#include <functional>
#include <string>
#include <vector>

#include "ipvs/model.h"
#include "ipvs/operation.h"

namespace vipd::ipvs {

class Backend {
 public:
  using ApplyDone = std::function<void(std::vector<OperationResult>)>;
  using DumpDone = std::function<void(std::expected<Table, std::string>)>;
  using TimeoutsDone = std::function<void(std::expected<Timeouts, std::string>)>;
  using SetTimeoutsDone = std::function<void(std::expected<void, std::string>)>;

  virtual ~Backend() = default;

  virtual void apply(std::vector<Operation> operations, ApplyDone done) = 0;
  virtual void dump(DumpDone done) = 0;
  virtual void timeouts(TimeoutsDone done) = 0;
  // A timeout of 0 is left as it is.
  virtual void setTimeouts(const Timeouts& timeouts, SetTimeoutsDone done) = 0;
  // A short name for logs and `vipc show status`: "dry-run", "netlink".
  virtual std::string_view name() const = 0;
};

}  // namespace vipd::ipvs
