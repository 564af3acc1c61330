// DryRunBackend: never touches the kernel. Each operation is applied to an in-memory table
// (with the kernel's errors, see applyToTable: adding what exists fails with EEXIST, and so
// on) and, when it succeeds, written to the output in ipvsadm's save syntax (toIpvsadm),
// one line per change, flushed at once, inside apply() itself. A failed operation prints
// nothing. Started from an empty table, the output piped into `ipvsadm -R` reproduces the
// table.
//
// The global timeouts are kept in memory too, starting from a fresh kernel's (900 s, 120 s,
// 300 s); setTimeouts() prints nothing, so the output stays ipvsadm -S -n rule lines.
//
// apply()'s results and dump()'s copy of the table are posted to the io_context, never
// delivered from inside the call; the posted handlers do not refer to the backend, so it
// may be destroyed with results still queued.
#pragma once

#include <cstdio>

#include "ipvs/backend.h"

namespace boost::asio {
class io_context;
}

namespace vipd::ipvs {

class DryRunBackend final : public Backend {
 public:
  explicit DryRunBackend(boost::asio::io_context& io, std::FILE* out = stdout);

  void apply(std::vector<Operation> operations, ApplyDone done) override;
  void dump(DumpDone done) override;
  void timeouts(TimeoutsDone done) override;
  void setTimeouts(const Timeouts& timeouts, SetTimeoutsDone done) override;
  std::string_view name() const override { return "dry-run"; }

  const Table& table() const { return table_; }

  // What a kernel that IPVS was just loaded into has.
  static constexpr Timeouts kKernelDefaultTimeouts{900, 120, 300};

 private:
  boost::asio::io_context& io_;
  std::FILE* out_;
  Table table_;
  Timeouts timeouts_ = kKernelDefaultTimeouts;
};

}  // namespace vipd::ipvs
