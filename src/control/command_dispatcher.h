// CommandDispatcher: one control request in, the frames of its reply out. It checks the
// version and the command, refuses write commands on the read-only socket, calls the
// DaemonView and logs every write command with the caller's credentials. Pure of I/O, so
// that the socket server only moves frames.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "control/control.pb.h"
#include "control/daemon_view.h"

namespace vipd::control {

class CommandDispatcher {
 public:
  using Clock = std::function<WallTime()>;

  explicit CommandDispatcher(DaemonView& view, Clock clock = nullptr);

  // The frames of the reply; the last carries the Result and has `more` false.
  std::vector<Reply> dispatch(const Request& request, const Caller& caller, bool read_only);

  // The greeting sent on connection.
  Reply hello(bool read_only) const;

  // A command that changes something (everything but `show`).
  static bool isWriteCommand(const Request& request);
  // The command's name as vipc spells it, e.g. "disable server".
  static std::string commandName(const Request& request);
  // A final frame.
  static Reply result(ResultCode code, std::string message);

 private:
  std::vector<Reply> show(const Request& request);
  std::vector<Reply> showServices(const std::string& name, bool with_servers);
  std::vector<Reply> showIpvs(bool stats);
  std::vector<Reply> showProtocols(const ShowProtocols& command);
  std::vector<Reply> showRoute(const std::string& vip);
  CommandResult write(const Request& request, const Caller& caller);
  void logCommand(const Request& request, const Caller& caller, const CommandResult& outcome);

  DaemonView& view_;
  Clock clock_;
};

}  // namespace vipd::control
