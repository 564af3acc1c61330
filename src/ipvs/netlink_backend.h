// NetlinkBackend: the kernel's IPVS table over generic netlink (family "IPVS"), through
// libnl-3. It needs the ip_vs module and the CAP_NET_ADMIN capability; checkKernel() says
// which is missing, in words an operator can act on.
//
// apply() sends a batch as few datagrams (the kernel handles each request in turn and
// acknowledges every one), matches each acknowledgement to its request by sequence number
// and reports every operation's result: a failed operation does not stop the ones after
// it. Every request that is not a dump asks for an acknowledgement and is finished only when
// it arrives, so no stale acknowledgement is ever read as the answer to a later request.
// dump() reads every service, then each service's destinations (one dump at a time: the
// kernel runs one dump per socket).
//
// Work runs one job at a time, in the order asked; results are posted to the io_context,
// never delivered from inside the call. The socket is watched by the io_context: nothing
// blocks but open() and checkKernel(). Destroying the backend abandons queued and running
// work: their callbacks are not called.
#pragma once

#include <expected>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ipvs/backend.h"
#include "ipvs/netlink_messages.h"

namespace boost::asio {
class io_context;
}

namespace vipd::ipvs {

class NetlinkBackend final : public Backend {
 public:
  using StatisticsDone = std::function<void(std::expected<StatisticsTable, std::string>)>;
  using InfoDone = std::function<void(std::expected<KernelInfo, std::string>)>;

  // The start-up check, blocking: opens a socket, resolves the IPVS family and asks for
  // IPVS_CMD_GET_INFO. Errors: "the kernel lacks IPVS: load ip_vs or run with --dry-run",
  // "vipd needs the CAP_NET_ADMIN capability", or the netlink error spelled out.
  static std::expected<KernelInfo, std::string> checkKernel();

  // Makes the checks of checkKernel() and returns a backend on the io_context.
  static std::expected<std::unique_ptr<NetlinkBackend>, std::string> open(
      boost::asio::io_context& io);

  ~NetlinkBackend() override;
  NetlinkBackend(const NetlinkBackend&) = delete;
  NetlinkBackend& operator=(const NetlinkBackend&) = delete;

  void apply(std::vector<Operation> operations, ApplyDone done) override;
  // The table as the kernel states it: compare it with a configuration through canonical().
  void dump(DumpDone done) override;
  std::string_view name() const override { return "netlink"; }

  // Every service's and destination's counters, keyed like dump()'s table.
  void dumpStatistics(StatisticsDone done);
  void info(InfoDone done);
  void timeouts(TimeoutsDone done) override;
  void setTimeouts(const Timeouts& timeouts, SetTimeoutsDone done) override;

  // The socket, the jobs and the requests in flight: opaque, defined in the .cc.
  class Session;

 private:
  explicit NetlinkBackend(std::shared_ptr<Session> session);

  std::shared_ptr<Session> session_;
};

}  // namespace vipd::ipvs
