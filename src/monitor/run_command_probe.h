// RunCommandProbe: the run-command kind (PyBal's RunCommand). Each check runs `command` with
// `arguments`, where {host}, {address} and {port} stand for the server's; exit status 0 is up.
// The command runs in a process group of its own, stdin from /dev/null, stdout and stderr
// into one pipe (kept up to 4 KiB, the rest read and dropped; logged at debug and quoted in
// the result when log_output is on). On timeout or cancel the whole group gets SIGKILL. Every
// process is reaped through a pidfd watched by the loop, so nothing blocks and no zombie is
// left; a probe destroyed mid-run kills and reaps at once.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/model.h"
#include "monitor/monitor.h"
#include "monitor/probe.h"

namespace vipd::monitor {

class RunCommandProbe final : public Probe {
 public:
  RunCommandProbe(boost::asio::io_context& io, const Target& target, std::string monitor_name,
                  const config::RunCommandParams& params);
  ~RunCommandProbe() override;

  void start(Done done) override;
  void cancel() override;

  // The argument vector, command first, with the server's fields substituted.
  static std::vector<std::string> commandLine(const config::RunCommandParams& params,
                                              const Target& target);

 private:
  class Run;

  boost::asio::io_context& io_;
  std::vector<std::string> argv_;
  bool log_output_;
  // For the output's log line: service=, server=, monitor=.
  std::string log_fields_;
  std::weak_ptr<Run> run_;
};

}  // namespace vipd::monitor
